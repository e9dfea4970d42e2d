"""A small Tk editor driven by the X11 tests: a real application the project did not write.

It writes its text to a state file after every change, and takes commands as
JSON lines on stdin (answering "ok" on stdout): set the text (optionally all
selected), focus, and choose how it reacts to paste and copy, to play a slow
or unresponsive application.
"""

from __future__ import annotations

import json
import os
import sys
import tkinter
from pathlib import Path


class Editor:
    def __init__(self, title: str, state: Path) -> None:
        self.state = state
        self.root = tkinter.Tk()
        self.root.title(title)
        self.text = tkinter.Text(self.root, width=60, height=10)
        self.text.pack()
        self.paste_mode = "normal"
        self.copy_mode = "normal"
        self.text.bind("<<Modified>>", self.on_modified)
        self.text.bind("<<Paste>>", self.on_paste)
        self.text.bind("<<Copy>>", self.on_copy)
        self.root.tk.createfilehandler(sys.stdin, tkinter.READABLE, self.on_command)
        self.dump()

    def dump(self) -> None:
        tmp = self.state.with_suffix(".tmp")
        tmp.write_text(self.text.get("1.0", "end-1c"), encoding="utf-8")
        os.replace(tmp, self.state)

    def on_modified(self, _event: object) -> None:
        self.dump()
        self.text.edit_modified(False)

    def on_paste(self, _event: object) -> str | None:
        if self.paste_mode == "ignore":
            return "break"
        if self.paste_mode == "slow":
            # A busy application: it fetches the clipboard only a while after Ctrl+V.
            self.text.after(400, lambda: self.text.tk.call("tk_textPaste", str(self.text)))
            return "break"
        return None

    def on_copy(self, _event: object) -> str | None:
        return "break" if self.copy_mode == "ignore" else None

    def on_command(self, _file: object, _mask: int) -> None:
        line = sys.stdin.readline()
        if not line:
            self.root.destroy()
            return
        command = json.loads(line)
        op = command["op"]
        if op == "set":
            self.text.delete("1.0", "end")
            self.text.insert("1.0", command["text"])
            self.text.mark_set("insert", "end-1c")
            if command.get("select"):
                self.text.tag_add("sel", "1.0", "end-1c")
            self.dump()
        elif op == "modes":
            self.paste_mode = command.get("paste", "normal")
            self.copy_mode = command.get("copy", "normal")
            self.text.configure(exportselection=command.get("export", True))
        elif op == "focus":
            self.text.focus_force()
        elif op == "own_clipboard":
            self.root.clipboard_clear()
            self.root.clipboard_append(command["text"])
        self.root.update_idletasks()
        print("ok", flush=True)

    def announce_when_mapped(self) -> None:
        if not self.text.winfo_viewable():
            self.root.after(20, self.announce_when_mapped)
            return
        self.text.focus_force()
        print("ready", flush=True)

    def run(self) -> None:
        self.root.after_idle(self.announce_when_mapped)
        self.root.mainloop()


if __name__ == "__main__":
    Editor(sys.argv[1], Path(sys.argv[2])).run()
