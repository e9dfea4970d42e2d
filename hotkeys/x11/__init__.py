"""X11 building blocks: XTEST keyboard, a selection owner, and the clipboard built on them."""
