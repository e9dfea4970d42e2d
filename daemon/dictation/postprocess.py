"""Text rules applied to recognised text: replacements, numbers, spoken commands.

`apply_rules` runs, in this order:

1. Replacements from the config: case-insensitive, whole words only, longest
   pattern first, in one pass (a replacement's output is not matched again);
   the replacement is inserted exactly as written.
1b. Drug names heard as sound-alike words, corrected from the built-in lexicon
   when enabled (rules in `daemon.speech.correct`; numbers and negations are
   never touched).
2. Number normalisation, when enabled (rules in `daemon.dictation.numbers`).
3. Spoken commands, when enabled (rules in `apply_commands`).

Apply them to the whole text of a dictation (committed text so far plus the
tail), not to fragments: "scratch that" and the absorption of punctuation need
what came before.

Spoken commands: "new line", "new paragraph", "period", "full stop", "comma",
"question mark", "exclamation mark/point", "semicolon", "colon", "open/close
paren(thesis)" and "scratch that". A command is matched on whole words,
ignoring case and never across punctuation. It stays ordinary words when:

- the word right before it is a determiner ("a", "the", "this", "his", ...)
  or, for "period" and "colon", a word that makes it a noun ("menstrual
  period", "sigmoid colon");
- the word right after it is "of" ("a new line of therapy", "period of");
- it is "period", "full stop", "colon" or "scratch that", which are also
  ordinary words, and it is not at a phrase boundary: the end of the text, a
  punctuation mark, a line break or another command must follow. Speakers
  pause after saying them and the recogniser marks the pause, so "pain
  period." is a command while "the period of time" and "colon cancer" are not.

Punctuation the recogniser wrote next to a command ("pain, new paragraph.
Started") yields to the command: all marks right after a command go; right
before a punctuation command (period, comma, question mark, close
parenthesis, ...) all go; right before a line break or an open parenthesis
only , ; : go, so a sentence the recogniser ended keeps its full stop. Marks
attach to the word before them. After a command the next word is capitalised
when the text now ends a sentence or a line; otherwise, if the recogniser had
started a new sentence after the command, a capitalised next word is
lowercased ("pain. Comma. Shortness" -> "pain, shortness"; "I" and acronyms
are kept).

"scratch that" removes the previous phrase: the words after the latest
punctuation mark, parenthesis or line break (the recogniser's or a
command's), with any marks and line breaks after them. As the recogniser marks
pauses, this is normally what was said since the last pause; in unpunctuated
text it reaches back to the previous sentence end or line break.

With spoken commands on, spacing is tidied too: runs of spaces become one,
spaces around line breaks go.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

from daemon.config import DictationSettings
from daemon.dictation.numbers import normalize_numbers
from daemon.errors import ConfigError
from daemon.speech.correct import DrugCorrector, drug_corrector

_SPACES = r"\s+"


def _normalise_pattern(pattern: str) -> str:
    return " ".join(pattern.split()).lower()


def _compile(replacements: Mapping[str, str]) -> tuple[re.Pattern[str] | None, tuple[str, ...]]:
    table: dict[str, str] = {}
    for pattern, replacement in replacements.items():
        key = _normalise_pattern(pattern)
        if not key:
            raise ConfigError("dictation.replacements: a pattern is empty")
        table[key] = replacement
    if not table:
        return None, ()
    ordered = sorted(table, key=len, reverse=True)
    # Whitespace inside a pattern matches any run of spaces, so "met for min"
    # still matches when the recogniser wrote two spaces.
    alternatives = (
        f"(?P<r{index}>{_SPACES.join(re.escape(word) for word in key.split())})"
        for index, key in enumerate(ordered)
    )
    regex = re.compile(rf"(?<!\w)(?:{'|'.join(alternatives)})(?!\w)", re.IGNORECASE)
    return regex, tuple(table[key] for key in ordered)


@dataclass(frozen=True)
class TextRules:
    """What to do to recognised text before it is delivered."""

    replacements: Mapping[str, str] = field(default_factory=dict)
    spoken_commands: bool = True
    normalize_numbers: bool = False
    drugs: DrugCorrector | None = None  # the lexicon's post-correction, when enabled
    _regex: re.Pattern[str] | None = field(init=False, repr=False, compare=False)
    _outputs: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        frozen = MappingProxyType(dict(self.replacements))
        regex, outputs = _compile(frozen)
        object.__setattr__(self, "replacements", frozen)
        object.__setattr__(self, "_regex", regex)
        object.__setattr__(self, "_outputs", outputs)

    @classmethod
    def from_settings(cls, settings: DictationSettings) -> TextRules:
        """The rules configured in the [dictation] section."""
        return cls(
            replacements=settings.replacements,
            spoken_commands=settings.spoken_commands,
            normalize_numbers=settings.normalize_numbers,
            drugs=drug_corrector() if settings.correct_drug_names else None,
        )

    def replace(self, text: str) -> str:
        """Apply only the replacement rules."""
        if self._regex is None:
            return text
        outputs = self._outputs
        return self._regex.sub(lambda match: outputs[int(str(match.lastgroup)[1:])], text)

    def correct(self, text: str) -> str:
        """The replacements, then the drug-name correction: what uploads get."""
        text = self.replace(text)
        return text if self.drugs is None else self.drugs.correct(text)


TokenKind = Literal["word", "mark", "open", "close", "newline"]
MARKS = frozenset(".,;:!?")
SOFT_MARKS = frozenset(",;:")
SENTENCE_ENDS = frozenset(".!?")
DETERMINERS = frozenset(
    {"a", "an", "the", "this", "that", "these", "those", "my", "your", "his", "her", "its"}
    | {"our", "their", "each", "every", "any", "some", "another"}
)
PERIOD_NOUNS = frozenset(
    {"menstrual", "last", "first", "time", "trial", "waiting", "grace", "incubation"}
    | {"refractory", "postoperative", "perioperative", "recovery", "washout", "same"}
    | {"observation", "short", "long", "whole", "entire", "study", "treatment", "follow-up"}
)
COLON_NOUNS = frozenset(
    {"sigmoid", "ascending", "descending", "transverse", "right", "left", "distal"}
    | {"proximal", "entire", "whole", "irritable", "spastic"}
)


@dataclass(frozen=True)
class _Token:
    kind: TokenKind
    text: str
    spoken: bool = False  # produced by a command, not written by the recogniser

    @property
    def key(self) -> str:
        return self.text.casefold()


@dataclass(frozen=True)
class _Command:
    words: tuple[str, ...]
    output: tuple[_Token, ...]  # empty for "scratch that"
    at_boundary: bool = False
    nouns_before: frozenset[str] = frozenset()


def _emits(kind: TokenKind, text: str) -> tuple[_Token, ...]:
    return (_Token(kind, text, spoken=True),)


_NEWLINE = _emits("newline", "\n")
COMMANDS = tuple(
    sorted(
        (
            _Command(("new", "line"), _NEWLINE),
            _Command(("newline",), _NEWLINE),
            _Command(("new", "paragraph"), _NEWLINE + _NEWLINE),
            _Command(("period",), _emits("mark", "."), True, PERIOD_NOUNS),
            _Command(("full", "stop"), _emits("mark", "."), True),
            _Command(("comma",), _emits("mark", ",")),
            _Command(("question", "mark"), _emits("mark", "?")),
            _Command(("exclamation", "mark"), _emits("mark", "!")),
            _Command(("exclamation", "point"), _emits("mark", "!")),
            _Command(("semicolon",), _emits("mark", ";")),
            _Command(("colon",), _emits("mark", ":"), True, COLON_NOUNS),
            _Command(("open", "parenthesis"), _emits("open", "(")),
            _Command(("open", "paren"), _emits("open", "(")),
            _Command(("close", "parenthesis"), _emits("close", ")")),
            _Command(("close", "paren"), _emits("close", ")")),
            _Command(("scratch", "that"), (), True),
        ),
        key=lambda command: len(command.words),
        reverse=True,
    )
)


def _tokenise(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    for number, line in enumerate(text.split("\n")):
        if number:
            tokens.append(_Token("newline", "\n"))
        for chunk in line.split():
            start, end = 0, len(chunk)
            while start < end and chunk[start] == "(":
                tokens.append(_Token("open", "("))
                start += 1
            trailing: list[_Token] = []
            while end > start and (chunk[end - 1] in MARKS or chunk[end - 1] == ")"):
                end -= 1
                kind: TokenKind = "close" if chunk[end] == ")" else "mark"
                trailing.append(_Token(kind, chunk[end]))
            if start < end:
                tokens.append(_Token("word", chunk[start:end]))
            tokens.extend(reversed(trailing))
    return tokens


def _phrase_at(tokens: list[_Token], index: int) -> _Command | None:
    for command in COMMANDS:
        words = tokens[index : index + len(command.words)]
        if len(words) == len(command.words) and all(
            token.kind == "word" and token.key == word
            for token, word in zip(words, command.words, strict=True)
        ):
            return command
    return None


def _command_at(tokens: list[_Token], index: int) -> tuple[_Command, int] | None:
    command = _phrase_at(tokens, index)
    if command is None:
        return None
    end = index + len(command.words)
    before = tokens[index - 1] if index > 0 else None
    after = tokens[end] if end < len(tokens) else None
    noun_before = DETERMINERS | command.nouns_before
    if before is not None and before.kind == "word" and before.key in noun_before:
        return None
    if after is not None and after.kind == "word":
        if after.key == "of":
            return None
        if command.at_boundary and _phrase_at(tokens, end) is None:
            return None
    return command, end


def _recase(text: str, case: Literal["upper", "lower"]) -> str:
    if case == "upper":
        return text[:1].upper() + text[1:]
    if text == "I" or text.startswith("I'") or not text[1:].islower():
        return text
    return text[:1].lower() + text[1:]


class _Output:
    def __init__(self) -> None:
        self.tokens: list[_Token] = []
        self._case: Literal["keep", "upper", "lower"] = "keep"

    def add(self, token: _Token) -> None:
        if token.kind == "word" and self._case != "keep":
            token = _Token("word", _recase(token.text, self._case))
            self._case = "keep"
        self.tokens.append(token)

    def run(self, command: _Command, sentence_started: bool) -> None:
        if command.output:
            replaces_marks = command.output[0].kind in ("mark", "close")
            absorbed = MARKS if replaces_marks else SOFT_MARKS
            while self.tokens and self._absorbs(self.tokens[-1], absorbed):
                self.tokens.pop()
            self.tokens.extend(command.output)
        else:
            while self.tokens and self.tokens[-1].kind != "word":
                self.tokens.pop()
            while self.tokens and self.tokens[-1].kind == "word":
                self.tokens.pop()
        if self._at_sentence_start():
            self._case = "upper"
        else:
            self._case = "lower" if sentence_started else "keep"

    @staticmethod
    def _absorbs(token: _Token, absorbed: frozenset[str]) -> bool:
        return token.kind == "mark" and token.text in absorbed and not token.spoken

    def _at_sentence_start(self) -> bool:
        if not self.tokens:
            return True
        last = self.tokens[-1]
        return last.kind == "newline" or (last.kind == "mark" and last.text in SENTENCE_ENDS)

    def render(self) -> str:
        parts: list[str] = []
        previous: _Token | None = None
        for token in self.tokens:
            spaced = previous is not None and previous.kind not in ("open", "newline")
            if token.kind in ("word", "open") and spaced:
                parts.append(" ")
            parts.append(token.text)
            previous = token
        return "".join(parts)


def apply_commands(text: str) -> str:
    """Carry out spoken commands (rules in the module docstring) and tidy spacing."""
    tokens = _tokenise(text)
    output = _Output()
    index = 0
    while index < len(tokens):
        found = _command_at(tokens, index)
        if found is None:
            output.add(tokens[index])
            index += 1
            continue
        command, index = found
        sentence_started = False
        while index < len(tokens) and tokens[index].kind == "mark":
            sentence_started |= tokens[index].text in SENTENCE_ENDS
            index += 1
        output.run(command, sentence_started)
    return output.render()


def apply_rules(text: str, rules: TextRules) -> str:
    """Replacements and drug names, then numbers, then spoken commands, as enabled."""
    text = rules.correct(text)
    if rules.normalize_numbers:
        text = normalize_numbers(text)
    if rules.spoken_commands:
        text = apply_commands(text)
    return text
