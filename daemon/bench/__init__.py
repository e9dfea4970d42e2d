"""`sottovoce bench`: figures measured in one run, compared as ratios."""
