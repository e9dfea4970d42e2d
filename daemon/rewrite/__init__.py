"""Rewriting text with the local LLM, and the guards around what it returns."""
