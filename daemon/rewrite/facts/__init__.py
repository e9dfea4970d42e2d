"""Clinical facts of a text: extraction into short fact strings and their comparison."""
