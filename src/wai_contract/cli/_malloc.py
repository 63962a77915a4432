"""The C allocator of the ``run`` process, told to keep less memory it no longer uses.

glibc gives each thread that allocates its own arena (up to eight per core) and raises the
size from which a buffer gets its own mapping after each large buffer freed: a run's
sender threads, each reading answers of megabytes, left the process 90-130 MB above what it
held (measured with bench/memory.py: 290 MB peak against 159 MB with these settings). Only
the CLI's own process is changed: a library must not retune its host's allocator.
"""

from __future__ import annotations

import ctypes
import sys

_M_MMAP_THRESHOLD = -3
_M_ARENA_MAX = -8
ARENAS = 2
MAPPED_FROM_BYTES = 1024 * 1024
"""Buffers this large are mapped on their own, and given back whole when freed."""


def keep_less() -> None:
    """At most :data:`ARENAS` arenas; buffers of :data:`MAPPED_FROM_BYTES` and more mapped
    (glibc only; elsewhere nothing changes)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc, or no C library to ask
        return
    mallopt(_M_ARENA_MAX, ARENAS)
    mallopt(_M_MMAP_THRESHOLD, MAPPED_FROM_BYTES)
