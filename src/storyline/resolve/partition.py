"""Splitting a batch of new event mentions into parts that resolve independently of one another.

A mention meets an event only through a blocking key: one of the mention's probe keys is one of the event's
keys, and an event's keys are the index keys of its mentions. So link every new mention to its index keys
and to those of its probe keys that something indexes (another new mention, or an event already stored, whose
keys are then linked together). The connected components of that graph never meet: no mention of one can
find an event made or grown by a mention of another, now or later in the batch.

Resolving each component's mentions in the order the whole batch would have taken them (documents in the
order they were stored, a document's mentions in :func:`~storyline.resolve.events.order_for_resolution`
order) therefore gives every mention the event it gets when the batch is resolved one mention after the
other: by induction over that order, the candidates a mention is compared with are the same events, made by
the same earlier mentions, in either case. Components can be resolved in any order, in parallel.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from storyline.resolve.events import Facts, index_keys, probe_keys


@dataclass(frozen=True)
class Part:
    """One component: its mentions (as the caller numbers them) in resolution order."""

    mentions: tuple[int, ...]

    def __len__(self) -> int:
        return len(self.mentions)


class _Keys:
    """Union-find over blocking keys."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, key: str) -> str:
        parent = self.parent
        root = parent.setdefault(key, key)
        while root != parent[root]:
            root = parent[root]
        while key != root:  # path compression
            parent[key], key = root, parent[key]
        return root

    def join(self, keys: Iterable[str]) -> None:
        iterator = iter(keys)
        first = next(iterator, None)
        if first is None:
            return
        root = self.find(first)
        for key in iterator:
            other = self.find(key)
            if other != root:
                self.parent[other] = root


def partition(
    mentions: Sequence[tuple[int, Facts]],
    stored_keys: Callable[[set[str]], Iterable[Sequence[str]]],
) -> list[Part]:
    """The independent parts of ``mentions`` — (number, facts) pairs already in resolution order — each in
    that order; the largest part first. ``stored_keys(probes)`` gives, for every stored event that holds
    one of the keys ``probes``, all of that event's keys."""
    indexed = {number: index_keys(facts) for number, facts in mentions}
    probes = {number: probe_keys(facts) for number, facts in mentions}
    wanted = {key for keys in probes.values() for key in keys}
    keys = _Keys()
    known: set[str] = set()
    for event_keys in stored_keys(wanted):
        keys.join(event_keys)
        known.update(event_keys)
    for own in indexed.values():
        known.update(own)
    for number, _facts in mentions:
        keys.join([*indexed[number], *(k for k in probes[number] if k in known)])
    parts: dict[str, list[int]] = {}
    for number, _facts in mentions:
        parts.setdefault(keys.find(indexed[number][0]), []).append(number)
    ordered = sorted(parts.values(), key=lambda numbers: (-len(numbers), numbers[0]))
    return [Part(tuple(numbers)) for numbers in ordered]


def bins(parts: Sequence[Part], count: int) -> list[list[Part]]:
    """The parts dealt into at most ``count`` groups of about equal work (the largest part first into the
    group with the least), for workers that take one group at a time."""
    count = max(1, min(count, len(parts)))
    groups: list[list[Part]] = [[] for _ in range(count)]
    sizes = [0] * count
    for part in sorted(parts, key=len, reverse=True):
        k = min(range(count), key=lambda i: (sizes[i], i))
        groups[k].append(part)
        sizes[k] += len(part)
    return [g for g in groups if g]
