"""The desktop agent's errors, in a leaf module so that interfaces and backends share them."""

from __future__ import annotations

from daemon.errors import SottovoceError


class DesktopError(SottovoceError):
    """Base of the desktop agent's errors; messages are safe to show a user."""


class ClipboardError(DesktopError):
    """The clipboard cannot be read or written."""


class InjectionError(DesktopError):
    """Text could not be typed or pasted into the focused application."""


class MicrophoneError(DesktopError):
    """No usable microphone."""


class AgentRunningError(DesktopError):
    """Another Sottovoce agent already serves the hotkeys on this display."""
