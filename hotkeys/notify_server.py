"""Which notification server would show the agent's warnings: asked over D-Bus, never assumed.

desktop-notifier only logs a warning when a notification cannot be shown; the
agent and the doctor need to know beforehand, to say where warnings go.
"""

from __future__ import annotations

import asyncio
import logging

from dbus_fast import BusType, Message, MessageType
from dbus_fast.aio import MessageBus

log = logging.getLogger(__name__)

NOTIFICATIONS = "org.freedesktop.Notifications"
NOTIFICATIONS_PATH = "/org/freedesktop/Notifications"
CALL_TIMEOUT_S = 5.0


async def async_notification_server() -> str | None:
    """The name and version of the session's notification server; None when there is none.

    A server that D-Bus can start on demand (a service file) counts: asking
    starts it, as the first notification would.
    """
    try:
        bus = await asyncio.wait_for(MessageBus(bus_type=BusType.SESSION).connect(), CALL_TIMEOUT_S)
    except Exception as error:  # dbus-fast raises several types for "no session bus"
        log.debug("no session bus: %r", error)
        return None
    try:
        reply = await asyncio.wait_for(
            bus.call(
                Message(
                    destination=NOTIFICATIONS,
                    path=NOTIFICATIONS_PATH,
                    interface=NOTIFICATIONS,
                    member="GetServerInformation",
                )
            ),
            CALL_TIMEOUT_S,
        )
    except Exception as error:
        log.debug("the notification server does not answer: %r", error)
        return None
    finally:
        bus.disconnect()
        await bus.wait_for_disconnect()  # type: ignore[no-untyped-call]
    if reply is None or reply.message_type != MessageType.METHOD_RETURN:
        return None
    name, vendor, version, _spec = reply.body
    return f"{name} {version} ({vendor})"


def notification_server() -> str | None:
    """`async_notification_server` for callers without an event loop (the doctor)."""
    return asyncio.run(async_notification_server())
