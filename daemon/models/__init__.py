"""The catalogue of installed models: embedded defaults and user-registered ones."""
