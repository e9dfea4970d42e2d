"""A private D-Bus session bus and a real notification daemon (dunst) that logs what it shows.

Tests run as root with no desktop: they start their own bus, with no service
directories (nothing the system installed is started on demand), and a dunst
whose rule runs a script for every notification, writing summary and body
into a file the test reads.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.hotkeys.xapps import read_line, require, stop, wait_for

TOOLS = {"dbus-daemon": "dbus-daemon", "dunst": "dunst"}
BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""
# Every notification runs the script; it appends one JSON line (jq-free: python).
DUNSTRC = """[global]
    monitor = 0
    follow = none
    markup = no
    show_age_threshold = -1
[log_every_notification]
    summary = "*"
    script = {script}
"""
SCRIPT = """#!/bin/sh
exec "{python}" -c 'import json, os, sys
with open(sys.argv[1], "a", encoding="utf-8") as log:
    log.write(json.dumps({{"app": os.environ.get("DUNST_APP_NAME", ""),
        "summary": os.environ.get("DUNST_SUMMARY", ""),
        "body": os.environ.get("DUNST_BODY", "")}}) + "\\n")' "{log}"
"""


def require_tools() -> None:
    """Fail (never skip) when a tool the notification tests need is missing."""
    require(TOOLS, "notification")


class SessionBus:
    """dbus-daemon on a socket in `folder`; `address` is what clients put in DBUS_SESSION_BUS_ADDRESS."""

    def __init__(self, folder: Path) -> None:
        config = folder / "bus.conf"
        config.write_text(BUS_CONFIG.format(socket=folder / "bus"), encoding="utf-8")
        self.process = subprocess.Popen(
            ["dbus-daemon", "--nofork", f"--config-file={config}", "--print-address=1"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self.address = read_line(self.process.stdout, timeout=15)
        if not self.address:
            self.close()
            pytest.fail("dbus-daemon did not print its address", pytrace=False)

    def close(self) -> None:
        """Stop the bus."""
        stop(self.process)
        if self.process.stdout is not None:
            self.process.stdout.close()


class Dunst:
    """dunst on `display` and `bus`, logging every notification it shows to a file."""

    def __init__(self, folder: Path, display: str, bus: SessionBus) -> None:
        self.log = folder / "notifications.jsonl"
        self.log.touch()
        script = folder / "log-notification.sh"
        script.write_text(
            SCRIPT.format(python=sys.executable, log=self.log),
            encoding="utf-8",
        )
        script.chmod(0o700)
        config = folder / "dunstrc"
        config.write_text(DUNSTRC.format(script=script), encoding="utf-8")
        self.env = {**os.environ, "DISPLAY": display, "DBUS_SESSION_BUS_ADDRESS": bus.address}
        with (folder / "dunst.log").open("wb") as out:
            self.process = subprocess.Popen(
                ["dunst", "-config", str(config)], env=self.env, stdout=out, stderr=out
            )
        owner = wait_for(self._owns_the_name, bool, timeout=15)
        if not owner:
            self.close()
            pytest.fail(f"dunst did not start:\n{(folder / 'dunst.log').read_text()}")

    def _owns_the_name(self) -> bool:
        done = subprocess.run(
            ["dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus",
             "/org/freedesktop/DBus", "org.freedesktop.DBus.NameHasOwner",
             "string:org.freedesktop.Notifications"],
            env=self.env, capture_output=True, text=True, timeout=10, check=False,
        )  # fmt: skip
        return "boolean true" in done.stdout

    def shown(self) -> list[dict[str, str]]:
        """Every notification dunst has shown so far."""
        lines = self.log.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]

    def wait_for_notice(
        self, match: Callable[[dict[str, str]], bool], timeout: float = 30
    ) -> dict[str, str] | None:
        """The first notification that `match` accepts, waited for; None when none came."""
        found = wait_for(
            lambda: next((n for n in self.shown() if match(n)), None),
            lambda n: n is not None,
            timeout=timeout,
        )
        return found

    def close(self) -> None:
        """Stop dunst."""
        stop(self.process)
