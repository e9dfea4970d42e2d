"""The loopback HTTP/WebSocket API."""
