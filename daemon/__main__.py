"""`python -m daemon` is `sottovoce`."""

import sys

from daemon.cli import main

sys.exit(main())
