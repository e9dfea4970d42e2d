"""Dictation: streaming transcription, commit logic and text post-processing."""
