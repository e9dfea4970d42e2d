"""Clinical language shared by dictation and the rewrite guard: numbers, units, abbreviations.

Dictation writes with these tables and the fidelity guard reads with them, so
what one writes the other understands as the same fact ("two million units",
"2000000 units", "2,000,000 units").
"""
