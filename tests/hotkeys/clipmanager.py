"""A minimal clipboard manager (the ICCCM SAVE_TARGETS side), run as its own X client.

Real managers (xfce4-clipman, GPaste, Klipper) are desktop-bound; this one does
only what the protocol asks: own CLIPBOARD_MANAGER, and on SAVE_TARGETS fetch
every target of CLIPBOARD, answer, then own CLIPBOARD serving the copy. It
prints "ready", then "saved" once it holds a copy.
"""

from __future__ import annotations

from typing import Any

from Xlib import X, Xatom
from Xlib.display import Display
from Xlib.protocol import event as xevent

_SKIP = {"TARGETS", "TIMESTAMP", "MULTIPLE", "SAVE_TARGETS", "DELETE"}


class Manager:
    def __init__(self) -> None:
        self.d = Display()
        screen = self.d.screen()
        self.w = screen.root.create_window(0, 0, 1, 1, 0, screen.root_depth)
        self.atom = self.d.intern_atom
        self.saved: dict[str, bytes] = {}
        self.w.set_selection_owner(self.atom("CLIPBOARD_MANAGER"), X.CurrentTime)
        self.d.sync()
        print("ready", flush=True)

    def fetch(self, target: str) -> Any:
        prop = self.atom("_FETCHED")
        self.w.convert_selection(self.atom("CLIPBOARD"), self.atom(target), prop, X.CurrentTime)
        self.d.flush()
        while True:
            event = self.d.next_event()
            if event.type == X.SelectionNotify:
                if event.property == X.NONE:
                    return None
                got = self.w.get_full_property(prop, X.AnyPropertyType)
                self.w.delete_property(prop)
                return None if got is None else got.value
            if event.type == X.SelectionRequest:
                self.refuse(event)  # not serving yet

    def refuse(self, event: Any) -> None:
        self.reply(event, X.NONE)

    def reply(self, event: Any, prop: int) -> None:
        requestor = self.d.create_resource_object("window", event.requestor.id)
        requestor.send_event(
            xevent.SelectionNotify(
                time=event.time,
                requestor=event.requestor.id,
                selection=event.selection,
                target=event.target,
                property=prop,
            )
        )
        self.d.flush()

    def save(self, event: Any) -> None:
        names = [self.d.get_atom_name(a) for a in self.fetch("TARGETS") or []]
        for name in names:
            if name not in _SKIP and (data := self.fetch(name)) is not None:
                self.saved[name] = data.encode() if isinstance(data, str) else bytes(data)
        self.reply(event, event.property)
        self.w.set_selection_owner(self.atom("CLIPBOARD"), X.CurrentTime)
        self.d.sync()
        print("saved", flush=True)

    def serve(self, event: Any) -> None:
        target = self.d.get_atom_name(event.target)
        requestor = self.d.create_resource_object("window", event.requestor.id)
        if target == "TARGETS":
            atoms = [self.atom(t) for t in ("TARGETS", *self.saved)]
            requestor.change_property(event.property, Xatom.ATOM, 32, atoms)
        elif target in self.saved:
            requestor.change_property(event.property, event.target, 8, self.saved[target])
        else:
            self.refuse(event)
            return
        self.reply(event, event.property)

    def run(self) -> None:
        while True:
            event = self.d.next_event()
            if event.type != X.SelectionRequest:
                continue
            selection = self.d.get_atom_name(event.selection)
            target = self.d.get_atom_name(event.target)
            if selection == "CLIPBOARD_MANAGER" and target == "SAVE_TARGETS":
                self.save(event)
            elif selection == "CLIPBOARD":
                self.serve(event)
            else:
                self.refuse(event)


if __name__ == "__main__":
    Manager().run()
