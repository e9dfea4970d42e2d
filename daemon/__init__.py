"""Sottovoce daemon: local speech and language engines behind a loopback API."""

__version__ = "0.1.0"
