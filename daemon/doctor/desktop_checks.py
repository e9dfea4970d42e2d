"""The desktop: display server, hotkey backend, microphone, clipboard hygiene, tray, notifications.

What needs the agent's platform code (X11 calls, the tray, D-Bus) goes through
`ctx.desktop`, the probe the desktop agent registers: the daemon never imports it.
"""

from __future__ import annotations

import shutil
from typing import Any

from daemon.doctor.check import Check, info, passed, warn
from daemon.doctor.context import Context
from daemon.doctor.microphone_name import describe_input
from daemon.doctor.session import detect_session

API_ONLY = "no display: no hotkeys and no tray, the daemon serves its API only"
X11_SESSION = 'log in to an "Xorg"/"X11" session'
X11_FIX = f"{X11_SESSION} for hotkeys in every application"
#: pynput's xorg listener reads keys through RECORD; keystrokes go out through XTEST.
X11_NEEDS = ("RECORD", "XTEST")
NO_AGENT = "the desktop agent (the hotkeys package) is not installed"
NO_AGENT_FIX = "reinstall Sottovoce (installers/install.sh) so its desktop agent is registered"


def x11_extensions(ctx: Context, display: str) -> frozenset[str] | None:
    """The X server's extensions, asked through the agent; None when it does not answer."""
    if ctx.desktop is None:
        return None
    return ctx.desktop.x11_extensions(display)


def display_server(ctx: Context) -> Check:
    """The display server the desktop agent would use."""
    session = detect_session(ctx.environ, ctx.platform)
    if session.kind == "none":
        return info("display", API_ONLY)
    if session.kind in ("macos", "windows"):
        return passed("display", f"{'macOS' if session.kind == 'macos' else 'Windows'} desktop")
    if session.kind == "wayland":
        xwayland = f", XWayland on {session.x_display}" if session.x_display else ", no XWayland"
        return info("display", f"Wayland{xwayland}")
    assert session.x_display is not None
    if ctx.desktop is None:
        return warn("display", f"X11 on {session.x_display}, but {NO_AGENT}", NO_AGENT_FIX)
    if x11_extensions(ctx, session.x_display) is None:
        return warn(
            "display",
            f"DISPLAY={session.x_display} but no X server answers there",
            "start Sottovoce inside your desktop session (or fix DISPLAY)",
        )
    return passed("display", f"X11 on {session.x_display}")


def hotkey_backend(ctx: Context) -> Check:
    """Global hotkeys and typing can work in this session."""
    if not ctx.settings.hotkeys.enabled:
        return info("hotkeys", "off in the config (hotkeys.enabled = false)")
    session = detect_session(ctx.environ, ctx.platform)
    if session.kind == "none":
        return info("hotkeys", "off: no display (API only)")
    if session.kind == "windows":
        return passed("hotkeys", "pynput's Windows backend (low-level keyboard hook)")
    if session.kind == "macos":
        return info(
            "hotkeys",
            "pynput's macOS backend: works only with Accessibility and Input Monitoring access",
            "System Settings → Privacy & Security: allow the app that runs Sottovoce under "
            "Accessibility and Input Monitoring",
        )
    if session.kind == "wayland":
        if session.x_display is None:
            return warn("hotkeys", "Wayland without XWayland: no global hotkeys", X11_FIX)
        return warn(
            "hotkeys",
            "Wayland: global hotkeys and typing reach only XWayland applications, "
            "not native Wayland ones",
            X11_FIX,
        )
    assert session.x_display is not None
    if ctx.desktop is None:
        return warn("hotkeys", NO_AGENT, NO_AGENT_FIX)
    extensions = x11_extensions(ctx, session.x_display)
    if extensions is None:
        return warn("hotkeys", f"no X server answers at {session.x_display}", "fix DISPLAY")
    missing = [name for name in X11_NEEDS if name not in extensions]
    if missing:
        return warn(
            "hotkeys",
            f"the X server lacks {' and '.join(missing)}: hotkeys or typing cannot work",
            "enable the extension in the X server's configuration",
        )
    return passed("hotkeys", "pynput's xorg backend (RECORD) and XTEST typing")


def microphone(ctx: Context) -> Check:
    """An input device exists (the configured one, else the default)."""
    fix = "plug in a microphone or choose one in the system's sound settings"
    try:
        import sounddevice
    except OSError:
        return warn(
            "microphone", "no microphone: the PortAudio library is missing", "install PortAudio"
        )
    wanted = ctx.settings.hotkeys.microphone
    try:
        device: Any = sounddevice.query_devices(wanted or None, kind="input")
    except ValueError:
        names = _input_names(sounddevice)
        return warn(
            "microphone",
            f"no input device matches hotkeys.microphone = {wanted!r}",
            f"set hotkeys.microphone to one of: {', '.join(names)}" if names else fix,
        )
    except sounddevice.PortAudioError:
        return warn("microphone", "no microphone found: dictation cannot record", fix)
    channels = int(device.get("max_input_channels", 0))
    if channels < 1:
        return warn(
            "microphone", f"{device.get('name')!r} records nothing (no input channels)", fix
        )
    return passed("microphone", describe_input(str(device.get("name")), channels))


def _input_names(sounddevice: Any) -> list[str]:
    try:
        devices = sounddevice.query_devices()
    except sounddevice.PortAudioError:
        return []
    return [str(d["name"]) for d in devices if int(d.get("max_input_channels", 0)) > 0]


def clipboard_hygiene(ctx: Context) -> Check:
    """Text pasted through the clipboard is marked so clipboard managers skip it."""
    session = detect_session(ctx.environ, ctx.platform)
    if session.kind == "none":
        return info("clipboard", "not used: no display")
    if session.kind == "windows":
        return passed(
            "clipboard",
            "transient text carries ExcludeClipboardContentFromMonitorProcessing: clipboard "
            "history and the cloud clipboard skip it; the old clipboard is restored",
        )
    if session.kind == "macos":
        return warn(
            "clipboard",
            "the old clipboard is restored, but pasted text is not yet marked "
            "org.nspasteboard.TransientType: clipboard managers may keep it",
            'set hotkeys.injection = "type" so text is typed, not pasted',
        )
    if session.kind == "wayland":
        return warn(
            "clipboard",
            "not available on Wayland: clipboard managers may keep pasted text",
            f"{X11_SESSION}, where pasted text is marked for clipboard managers to skip",
        )
    assert session.x_display is not None
    if shutil.which("xclip") is None:
        return warn(
            "clipboard", "xclip is missing: the clipboard cannot be restored", "install xclip"
        )
    if ctx.desktop is None:
        return warn("clipboard", NO_AGENT, NO_AGENT_FIX)
    if not ctx.desktop.clipboard_available(session.x_display):
        return warn("clipboard", f"no X server answers at {session.x_display}", "fix DISPLAY")
    return passed(
        "clipboard",
        "pasted text is offered with x-kde-passwordManagerHint (Klipper, CopyQ, GPaste skip "
        "it); the old clipboard is restored",
    )


def agent(ctx: Context) -> Check:
    """Which process holds this display's hotkeys: one agent per display, a second is refused."""
    session = detect_session(ctx.environ, ctx.platform)
    if session.x_display is None:
        return info("agent", "no X11 display: no hotkey agent")
    if ctx.desktop is None:
        return warn("agent", NO_AGENT, NO_AGENT_FIX)
    pid = ctx.desktop.agent_pid(session.x_display)
    if pid is None:
        return info("agent", f"no agent holds the hotkeys on {session.x_display}")
    runtime = ctx.daemon.runtime
    owner = f"pid {pid}" if pid else "a process whose pid the X server does not say"
    if runtime is not None and pid == runtime.pid:
        return passed("agent", f"the daemon's own agent ({owner}) holds the hotkeys")
    return info(
        "agent",
        f"a separate agent ({owner}) holds the hotkeys on {session.x_display}; a second "
        "`sottovoce agent` or `serve` there leaves the hotkeys to it",
    )


def tray(ctx: Context) -> Check:
    """A tray icon with a menu can be shown (not only an icon that ignores clicks)."""
    session = detect_session(ctx.environ, ctx.platform)
    if session.kind == "none":
        return info("tray", "not shown: no display")
    if ctx.desktop is None:
        return warn("tray", NO_AGENT, NO_AGENT_FIX)
    backend = ctx.desktop.tray_backend()
    if backend is None:
        return warn(
            "tray",
            "no tray icon can be shown: no system tray and no tray library works here",
            "run a panel with a system tray, and install PyGObject (installers/install.sh)",
        )
    if backend == "xorg":
        return warn(
            "tray",
            "pystray's xorg backend: the icon shows the state but has no menu and ignores clicks",
            "install PyGObject with GTK 3 (installers/install.sh) for a menu",
        )
    return passed("tray", f"pystray's {backend} backend: icon and menu")


def notifications(ctx: Context) -> Check:
    """Warnings (the fidelity guard, no microphone, nothing selected) reach the user's screen."""
    session = detect_session(ctx.environ, ctx.platform)
    if session.kind == "none":
        return info("notifications", "not shown: no display")
    if ctx.desktop is None:
        return warn("notifications", NO_AGENT, NO_AGENT_FIX)
    server = ctx.desktop.notifications()
    if server is None:
        return warn(
            "notifications",
            "no notification server: warnings such as a rewrite kept back by the fidelity "
            "guard only reach the log",
            "run a notification daemon (your desktop's, or dunst) on the session D-Bus",
        )
    return passed("notifications", f"warnings are shown by {server}")
