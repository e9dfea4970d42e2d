"""Speech-to-text: faster-whisper behind a small interface."""
