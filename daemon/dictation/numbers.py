"""Spoken numbers to digits, and spoken units to their symbols.

The words are read by the parser the fidelity guard reads with
(daemon.clinical.spoken) and the units come from the one unit table
(daemon.clinical.units), so what dictation writes the guard reads as the same
fact. This module holds only dictation's policy: what to rewrite.

The rules are meant to be predictable rather than clever:

- A run of number words that reads as one number becomes digits: "twenty one"
  -> "21", "five hundred" -> "500", "one hundred and twenty" -> "120",
  "a thousand" -> "1000" (no thousands separators).
- A lone number word ("one", "seven", "twenty") stays a word unless a unit,
  "point" or "over" follows it, so "no one", "one of the" and "seven patients"
  are left alone, while "one gram" becomes "1 g".
- A run that does not read as one number ("one two three", "twenty twenty
  four") is left entirely as words rather than guessed at.
- "point" followed by digit words makes a decimal ("two point five" -> "2.5").
  A leading "point" ("point five milligrams") leaves what follows as words:
  "at this point five ..." is ordinary prose, and "point 5 mg" could be misread
  as a dose ten times larger.
- "A over B" with a number on both sides becomes "A/B" ("one hundred and
  twenty over eighty" -> "120/80", "120 over 80" -> "120/80").
- A unit after a number, spelled out or already in digits, becomes its symbol:
  "five hundred milligrams" and "500 milligrams" -> "500 mg". Percent and
  degrees attach to the number ("5%", "38.5°C"); "units" stays a word. The
  units and their spellings are the unit table's spoken ones ("cc" -> "mL").
- Digits or a decimal before a scale word are one number: "4 million" and
  "one point five million" -> "4000000", "1500000".
- "and" joins the parts of one number ("a hundred and five") but not two
  numbers ("between one hundred and two hundred" stays words).
- Words form a run only when separated by spaces (or joined by hyphens, as in
  "twenty-one"); punctuation or a line break ends it. A hyphenated word that is
  not all number words ("five-year-old") is left alone.
"""

from __future__ import annotations

from daemon.clinical.spoken import NUMBER_WORDS, NumberParser, tokenise
from daemon.clinical.units import SPOKEN, Unit


class _Writer(NumberParser):
    def expression(self, index: int) -> tuple[str | None, int]:
        """Replacement text (None: leave as is) and the index after what was read."""
        previous = self.tokens[index - 1].low if index > 0 else ""
        if self.tokens[index].joined and (previous in NUMBER_WORDS or previous == "point"):
            return None, self._run_end(index)
        quantity = self.quantity(index)
        if quantity is None:
            return None, index + 1
        if self._run_goes_on(quantity.end):
            return None, self._run_end(index)
        text, end = quantity.text, quantity.end
        changed = quantity.tokens > 1
        if self.word(end) == "over":
            divisor = self.quantity(end + 1, joined=True)
            if divisor is not None and not self._run_goes_on(divisor.end):
                text, end, changed = f"{text}/{divisor.text}", divisor.end, True
        unit = self._unit(end)
        if unit is not None:
            found, end = unit
            text += ("" if found.attached else " ") + found.shown(text)
            changed = True
        return (text if changed else None), end

    def _run_goes_on(self, index: int) -> bool:
        """More number words follow: the run does not read as one number."""
        if self.word(index) == "and":
            index += 1
        return self.word(index) in NUMBER_WORDS

    def _run_end(self, index: int) -> int:
        end = index + 1
        while self.word(end) in NUMBER_WORDS or self.word(end) in ("and", "point"):
            end += 1
        return end

    def _unit(self, index: int) -> tuple[Unit, int] | None:
        for words, unit in SPOKEN:
            if all(self.word(index + offset) == word for offset, word in enumerate(words)):
                return unit, index + len(words)
        return None


def normalize_numbers(text: str) -> str:
    """Spoken numbers to digits and spoken units to symbols (rules in the module docstring)."""
    tokens = tokenise(text)
    writer = _Writer(tokens)
    pieces: list[str] = []
    written = 0
    index = 0
    while index < len(tokens):
        replacement, end = writer.expression(index)
        if replacement is not None:
            pieces.append(text[written : tokens[index].start])
            pieces.append(replacement)
            written = tokens[end - 1].end
        index = max(end, index + 1)
    pieces.append(text[written:])
    return "".join(pieces)
