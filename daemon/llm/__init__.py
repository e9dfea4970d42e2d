"""Language model: llama-cpp-python behind a small interface."""
