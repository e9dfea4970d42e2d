"""Strip what small LLMs wrap around a rewrite: preambles, sign-offs, quotes, fences.

Only the edges of the text are touched, and only where they match a known
chatter phrasing; a sentence inside the text is never removed.
"""

from __future__ import annotations

import re

_INTERJECTION = (
    r"(?:sure(?:\s+thing)?|certainly|of\s+course|okay|ok|absolutely|alright|all\s+right"
    r"|great|no\s+problem|happy\s+to\s+help)"
)
# A "Here is ..." line is chatter only when it speaks of the rewrite itself.
_ABOUT_REWRITE = re.compile(
    r"\b(?:rewrit|re-writ|corrected|correction|revis|edited|version|paraphras|reword|rephras"
    r"|polish|proofread|improved|concise|text|fixed)",
    re.IGNORECASE,
)
_APOSTROPHE = "['’]"
_DECOR = r"[ \t*_#>]*"
_HERE = rf"(?:here{_APOSTROPHE}?s|here\s+is|here\s+are|below\s+is|the\s+following\s+is)\b"
# "I've corrected the text:" introduces; "I have reviewed the text messages." reports.
_INTRO = rf"(?:{_HERE}|i{_APOSTROPHE}ve\b|i\s+have\b)"
_INTERJECTION_LINE_RE = re.compile(
    rf"\A{_DECOR}{_INTERJECTION}[ \t]*[!.,]*{_DECOR}\n", re.IGNORECASE
)
_INTRO_COLON_RE = re.compile(
    rf"\A{_DECOR}(?:{_INTERJECTION}[ \t]*[!.,]*[ \t]*)?({_INTRO}[^:\n]{{0,120}}):{_DECOR}\s*",
    re.IGNORECASE,
)
_INTRO_LINE_RE = re.compile(
    rf"\A{_DECOR}(?:{_INTERJECTION}[ \t]*[!.,]*[ \t]*)?({_HERE}[^\n]{{0,120}}?)[.!]?{_DECOR}\n",
    re.IGNORECASE,
)
_REWRITE_ADJECTIVE = (
    r"(?:rewritten|re-written|corrected|revised|edited|improved|polished|paraphrased"
    r"|proofread|simplified|reworded|rephrased)"
)
_NOUN = r"(?:text|version|note|paragraph|sentence|draft|message|passage)"
_LABEL_INLINE_RE = re.compile(
    rf"\A{_DECOR}(?:(?:the\s+|my\s+)?{_REWRITE_ADJECTIVE}(?:\s+{_NOUN})?|rewrite)"
    rf"{_DECOR}:{_DECOR}[ \t]*",
    re.IGNORECASE,
)
_LABEL_LINE_RE = re.compile(
    rf"\A{_DECOR}(?:(?:the\s+|my\s+)?(?:{_REWRITE_ADJECTIVE}|final|new|concise|formal|shorter"
    rf"|professional|clean|cleaned\s+up)(?:\s+{_NOUN})?|text|version|output|answer|response"
    rf"|assistant|rewrite|revision|correction){_DECOR}:{_DECOR}\n",
    re.IGNORECASE,
)

_SIGN_OFF = (
    r"(?:please\s+)?let\s+me\s+know\b"
    r"|(?:i\s+)?hope\s+(?:this|that|it)\s+(?:helps|works|is\s+(?:what|helpful))\b"
    r"|feel\s+free\s+to\b"
    r"|is\s+there\s+anything\s+else\b"
    r"|(?:do\s+you\s+want|would\s+you\s+like)\s+me\s+to\b"
    r"|if\s+you\s+(?:need|want|would\s+like|'d\s+like|have)\b[^\n]*\b(?:let\s+me\s+know"
    r"|feel\s+free|i\s+can|happy\s+to|further\s+(?:changes|edits|assistance|help|adjustments)"
    r"|any(?:thing)?\s+(?:else|other|more|further))"
)
_NOTE_ON_REWRITE = (
    rf"(?:note|n\.?b\.?){_DECOR}:{_DECOR}(?:i\b|i{_APOSTROPHE}"
    r"|this\s+(?:version|rewrite|revision|text)\b"
    r"|the\s+(?:original|rewrite|rewritten|revised|corrected)\b|(?:the\s+)?changes?\b"
    r"|no\s+(?:other\s+)?changes\b|all\s+(?:the\s+)?(?:original|clinical)\b)"
)
_I_EDITED = (
    rf"i(?:\s+have|{_APOSTROPHE}ve)?\s+(?:made|kept|rewritten|rewrote|revised|shortened"
    r"|corrected|edited|simplified|rephrased|reworded|condensed|preserved|maintained|removed"
    r"|fixed|improved|changed)\s+(?:the|some|a\s+few|minor|minimal|all|your|this|its|every)"
    r"\s+(?:[\w-]+\s+){0,2}?(?:text|meaning|changes|edits|corrections|wording|grammar|spelling"
    r"|punctuation|tone|version|sentence|paragraph|message|email|facts|details|information"
    r"|clarity)\b"
)
# "I changed "Pt" to "Patient"": a quoted word after the verb is talk about the text.
_I_REPLACED = (
    r"i\s+(?:also\s+)?(?:changed|replaced|removed|added|corrected|rephrased|reworded|swapped)"
    r"\s+[\"“'‘]"
)
_THIS_VERSION = (
    r"this\s+(?:version|rewrite|revision|revised\s+version|rewritten\s+version)"
    r"\s+(?:is|keeps|maintains|removes|preserves|uses|has)\b"
)
_TRAILER_LINE_RE = re.compile(
    rf"\A{_DECOR}\(?{_DECOR}(?:{_SIGN_OFF}|{_NOTE_ON_REWRITE}|{_I_EDITED}|{_I_REPLACED}"
    rf"|{_THIS_VERSION}|changes\s+made\b)",
    re.IGNORECASE,
)
# A list of the model's changes: this line and everything after it go.
_CHANGE_LOG_RE = re.compile(
    rf"\A{_DECOR}(?:i(?:\s+have|{_APOSTROPHE}ve)?\s+made\s+the\s+following\s+"
    r"(?:changes|edits|corrections|improvements)|(?:summary\s+of\s+)?changes\s+made"
    r"|here\s+are\s+the\s+(?:changes|edits|corrections)|explanation\s+of\s+(?:the\s+)?changes)\b",
    re.IGNORECASE,
)
# Inside the last line only offers about the rewrite itself go: "Let me know if you
# have any questions." may close a real email, while "... any further changes" cannot.
_EDITS = r"(?:changes|edits|adjustments|modifications|revisions|tweaks)"
_SIGN_OFF_SENTENCE_RE = re.compile(
    r"(?<=[.!?])[ \t]+(?:(?:please\s+)?let\s+me\s+know|feel\s+free\s+to\s+ask)"
    rf"\b[^\n.!?]*\b{_EDITS}\b[^\n]*\Z",
    re.IGNORECASE,
)
_RULE_LINE_RE = re.compile(r"\A[ \t]*(?:-{3,}|\*{3,}|_{3,})[ \t]*\Z")

_FENCE_RE = re.compile(r"\A```[\w+-]*[ \t]*\n(.*?)\n?[ \t]*```\Z", re.DOTALL)
_QUOTE_PAIRS = (('"', '"'), ("“", "”"), ("„", "“"), ("«", "»"), ("'", "'"), ("‘", "’"))


def strip_chatter(text: str, *, source: str = "") -> str:
    """Remove LLM chatter around a rewrite; chatter also present in `source` stays."""
    guard = _squash(source)
    current = text.strip()
    for _ in range(10):
        cleaned = _strip_tail(_strip_head(current, guard), guard)
        if not _wrapped(source, "```", "```"):
            cleaned = _unfence(cleaned)
        cleaned = _unquote(cleaned, source)
        if cleaned == current:
            break
        current = cleaned
    return current


def _squash(text: str) -> str:
    return " ".join(text.lower().split())


def _in_source(piece: str, guard: str) -> bool:
    squashed = _squash(piece)
    return bool(guard) and bool(squashed) and squashed in guard


def _strip_head(text: str, guard: str) -> str:
    for pattern in (
        _INTERJECTION_LINE_RE,
        _INTRO_COLON_RE,
        _INTRO_LINE_RE,
        _LABEL_LINE_RE,
        _LABEL_INLINE_RE,
    ):
        match = pattern.match(text)
        if match is None:
            continue
        intro = match.groups()[0] if match.groups() else None
        if intro is not None and not _ABOUT_REWRITE.search(intro):
            continue
        rest = text[match.end() :].strip()
        if rest and not _in_source(match[0], guard):
            return rest
    return text


def _strip_tail(text: str, guard: str) -> str:
    lines = text.split("\n")
    for k in range(1, len(lines)):
        if _CHANGE_LOG_RE.match(lines[k]) and not _in_source(lines[k], guard):
            if "\n".join(lines[:k]).strip():
                lines = lines[:k]
            break
    while len(lines) > 1:
        last = lines[-1]
        if not last.strip() or _RULE_LINE_RE.match(last):
            lines.pop()
            continue
        if _TRAILER_LINE_RE.match(last) and not _in_source(last, guard):
            if not "\n".join(lines[:-1]).strip():
                break
            lines.pop()
            continue
        break
    text = "\n".join(lines).strip()
    match = _SIGN_OFF_SENTENCE_RE.search(text)
    if match and not _in_source(match[0], guard) and text[: match.start()].strip():
        text = text[: match.start()].rstrip()
    return text


def _unfence(text: str) -> str:
    match = _FENCE_RE.match(text)
    if match is None or "```" in match[1]:
        return text
    inner = match[1].strip()
    return inner or text


def _wrapped(text: str, opening: str, closing: str) -> bool:
    text = text.strip()
    return len(text) >= 2 and text.startswith(opening) and text.endswith(closing)


def _unquote(text: str, source: str) -> str:
    for opening, closing in _QUOTE_PAIRS:
        if not _wrapped(text, opening, closing) or _wrapped(source, opening, closing):
            continue
        inner = text[1:-1]
        if not inner.strip() or not _quotes_balanced(inner, opening, closing):
            continue
        return inner.strip()
    return text


def _quotes_balanced(inner: str, opening: str, closing: str) -> bool:
    """True when no quote inside could close the outer pair early."""
    for i, char in enumerate(inner):
        if char not in (opening, closing):
            continue
        between_letters = (
            0 < i < len(inner) - 1 and inner[i - 1].isalpha() and inner[i + 1].isalpha()
        )
        if closing in "'’" and char in "'’" and between_letters:
            continue  # an apostrophe: "patient's"
        return False
    return True
