"""Kinds of request, so that a target that hangs on one kind is judged in one timeout.

A kind is the surface, whether the body asks for a stream, whether it is valid, and its
size class. The first request of each kind is sent first, and until one request of a kind
has come back, its other requests wait (the rest of the plan goes on): a server that hangs
on long prompts then holds one request, not every slot, for the timeout. When a request of
a kind times out, the kind's requests not yet sent are not sent: they are reported as such,
beside the case that timed out. Nothing here shortens a request's timeout or judges an
answer: it only orders and spares requests.
"""

from __future__ import annotations

import enum
import json
from collections import defaultdict
from dataclasses import dataclass, field

import orjson

from ..cases import Job

Kind = tuple[str, bool, bool, int]


class Admission(enum.Enum):
    """What becomes of a job when its turn comes."""

    SEND = "send"
    WAIT = "wait"
    """Another request of its kind, untried so far, is out: it waits for that one."""
    SPARE = "spare"
    """Its kind hangs: it is not sent."""
    SKIP = "skip"
    """The run is stopping."""


SIZE_CLASSES = (4096, 65536)
"""Body sizes (bytes of JSON) that part small, medium and large bodies."""


def kind_of(job: Job) -> Kind:
    """The kind of *job*: its surface, whether any of its bodies asks for a stream, whether
    all are valid, and the size class of the largest (a job's requests go together)."""
    stream = any(isinstance(c.body, dict) and c.body.get("stream") is True for c in job.cases)
    valid = all(c.valid is not False for c in job.cases)
    size = max(_size(c.body) for c in job.cases)
    return job.cases[0].surface, stream, valid, sum(size >= bound for bound in SIZE_CLASSES)


def _size(body: object) -> int:
    try:
        return len(orjson.dumps(body))
    except (TypeError, orjson.JSONEncodeError):  # integers past 64 bits, for one
        return len(json.dumps(body, default=str))


def describe(kind: Kind) -> str:
    """The kind in words: ``/ai/run, valid bodies under 4 KB, streamed``."""
    surface, stream, valid, size = kind
    path = "/ai/run" if surface == "native" else "/ai/v1/chat/completions"
    sizes = ("under 4 KB", "of 4-64 KB", "over 64 KB")[size]
    streamed = "streamed" if stream else "not streamed"
    return f"{path}, {'valid' if valid else 'invalid'} bodies {sizes}, {streamed}"


@dataclass
class KindGate:
    """Which kinds have come back, which hang, and the jobs waiting on each.

    Not thread-safe: the caller holds its lock around every call."""

    kinds: list[Kind]
    """The kind of every job, by index."""
    answered: set[Kind] = field(default_factory=set)
    hung_by: dict[Kind, str] = field(default_factory=dict)
    """Kinds that hang, each with the case that timed out."""
    in_flight: dict[Kind, int] = field(default_factory=lambda: defaultdict(int))
    waiting: dict[Kind, list[int]] = field(default_factory=lambda: defaultdict(list))

    def first_of_each_kind_first(self) -> list[int]:
        """Every job index, the first job of each kind before the others: every kind is
        tried early, so kinds that hang wait out their timeouts together."""
        firsts: dict[Kind, int] = {}
        for index, kind in enumerate(self.kinds):
            firsts.setdefault(kind, index)
        chosen = set(firsts.values())
        rest = [index for index in range(len(self.kinds)) if index not in chosen]
        return sorted(chosen) + rest

    def admit(self, index: int) -> Admission:
        """Send job *index*, let it wait (another request of its untried kind is out), or
        spare it (its kind hangs: :attr:`hung_by` names the case)."""
        kind = self.kinds[index]
        if kind in self.hung_by:
            return Admission.SPARE
        if kind not in self.answered and self.in_flight[kind]:
            self.waiting[kind].append(index)
            return Admission.WAIT
        self.in_flight[kind] += 1
        return Admission.SEND

    def finish(self, index: int, timed_out: str | None) -> list[int]:
        """Job *index* came back (*timed_out*: the id of a case of it that timed out);
        the jobs that waited on its kind, to send or to spare now."""
        kind = self.kinds[index]
        self.in_flight[kind] -= 1
        if timed_out is not None:
            self.hung_by.setdefault(kind, timed_out)
        else:
            self.answered.add(kind)
        released, self.waiting[kind] = self.waiting[kind], []
        return released
