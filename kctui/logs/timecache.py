"""Record timestamps kept compactly, so merging workers again after a filter change is cheap.

A merged view orders the records of several stores by timestamp. Reading a timestamp means
a ``pread`` and a regex per record; a :class:`TimeCache` remembers them per store as two
sorted arrays (record keys, and timestamps as integers that sort like the text).
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Callable
from heapq import merge

NO_TIME = -1  # a record without a timestamp (sorts before every real one, like "")
_NOT_DIGITS = str.maketrans("", "", "-: ,")


def time_value(normalised: str) -> int:
    """``2026-11-24 00:19:20,123`` -> 20261124001920123 (same order as the text); "" -> -1."""
    if not normalised:
        return NO_TIME
    digits = normalised.translate(_NOT_DIGITS)
    return int(digits) if digits.isdigit() else NO_TIME


class TimeCache:
    """Timestamps of some records of one store, by record key (both arrays ascending)."""

    def __init__(self) -> None:
        self.keys: array[int] = array("Q")
        self.values: array[int] = array("q")
        self.misses = 0  # timestamps read from the store (for tests and benchmarks)

    def __len__(self) -> int:
        return len(self.keys)

    def lookup(self, keys: array[int], read: Callable[[int], str]) -> array[int]:
        """Timestamp values of ``keys`` (ascending); those not cached are read and kept."""
        cached_keys, cached_values = self.keys, self.values
        size = len(cached_keys)
        if len(keys) == size and keys == cached_keys:  # the same records as last time
            return array("q", cached_values)
        found: array[int] = array("q")
        new_keys: array[int] = array("Q")
        new_values: array[int] = array("q")
        at = 0
        for key in keys:
            at = bisect_left(cached_keys, key, at)
            if at < size and cached_keys[at] == key:
                found.append(cached_values[at])
                continue
            value = time_value(read(key))
            found.append(value)
            new_keys.append(key)
            new_values.append(value)
        if new_keys:
            self.misses += len(new_keys)
            self._add(new_keys, new_values)
        return found

    def _add(self, keys: array[int], values: array[int]) -> None:
        if not self.keys or keys[0] > self.keys[-1]:
            self.keys.extend(keys)
            self.values.extend(values)
            return
        pairs = list(
            merge(zip(self.keys, self.values, strict=True), zip(keys, values, strict=True))
        )
        self.keys = array("Q", (k for k, _ in pairs))
        self.values = array("q", (v for _, v in pairs))

    def forget_before(self, key: int) -> None:
        """Drop the entries of keys below ``key`` (lines a bounded command log dropped)."""
        cut = bisect_left(self.keys, key)
        if cut:
            del self.keys[:cut]
            del self.values[:cut]
