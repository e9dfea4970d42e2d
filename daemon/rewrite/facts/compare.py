"""Which facts a rewrite dropped or added, and how to show them."""

from __future__ import annotations

from daemon.rewrite.facts.fact import Fact


def compare(src: list[Fact], out: list[Fact]) -> tuple[list[Fact], list[Fact]]:
    """The facts of `src` missing from `out`, and those `out` added."""
    src, out = _dedupe(src), _dedupe(out)
    pool: dict[str, list[Fact]] = {}
    for fact in out:
        pool.setdefault(fact.key, []).append(fact)
    missing = []
    for fact in src:
        same = pool.get(fact.key)
        if same:
            same.pop(0)
        else:
            missing.append(fact)
    added = sorted((f for facts in pool.values() for f in facts), key=lambda f: f.pos)
    for fact in list(missing):
        for other in added:
            if other.base == fact.base and fact.base and (fact.bare or other.bare):
                missing.remove(fact)
                added.remove(other)
                break
    return missing, added


def _dedupe(facts: list[Fact]) -> list[Fact]:
    seen: set[str] = set()
    kept = []
    for fact in facts:
        if fact.unique:
            if fact.key in seen:
                continue
            seen.add(fact.key)
        kept.append(fact)
    return kept


def labels(facts: list[Fact]) -> tuple[str, ...]:
    """Readable strings in reading order; words under one negation read together."""
    groups: dict[int, list[Fact]] = {}
    leaders: list[Fact] = []
    for fact in facts:
        if fact.group < 0 or fact.group not in groups:
            leaders.append(fact)
        if fact.group >= 0:
            groups.setdefault(fact.group, []).append(fact)
    return tuple(_label(f, groups.get(f.group, [])) for f in sorted(leaders, key=lambda f: f.pos))


def _label(leader: Fact, members: list[Fact]) -> str:
    if not members:
        return leader.label
    words = " ".join(f.label for f in members)
    return f"{words} {leader.cue}" if leader.backward else f"{leader.cue} {words}"
