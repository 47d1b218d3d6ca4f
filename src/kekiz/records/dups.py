"""Finding duplicate record ids in a stream, with memory independent of the file size.

Each id (as trimmed text) is hashed to 64 bits straight from the Arrow buffers: a sum
of its bytes times random odd 64-bit multipliers per position (a universal hash family;
two different ids of the same length collide with probability below 2**-56), mixed with
its length.  The hash and the row number go to one of 64 partition files by the top bits
of the hash.  At the end each partition is sorted on its own, so at most 1/64 of the
hashes is in memory at a time.  Rows with equal hashes are only *suspects*: the caller
compares the ids themselves before reporting.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

__all__ = ["DuplicateCheck", "hash_ids"]

_PARTS = 64
_SHIFT = np.uint64(58)
_FLUSH = 1 << 20
_MAX_LEN = 256
_MULTIPLIERS = (np.random.default_rng(0x6B656B697A).integers(
    0, 2**63, size=_MAX_LEN, dtype=np.int64).astype(np.uint64) << np.uint64(1)) | np.uint64(1)
_MIX = np.uint64(0x9E3779B97F4A7C15)


def hash_ids(ids: pa.Array | pa.ChunkedArray) -> NDArray[np.uint64]:
    """A 64-bit hash per id (text compared after trimming; longer ids than 256 bytes are
    hashed on their first 256 bytes and their length)."""
    arr = ids.combine_chunks() if isinstance(ids, pa.ChunkedArray) else ids
    text = pc.utf8_trim_whitespace(pc.cast(arr, pa.large_string()))
    if text.null_count:
        text = text.fill_null("")
    offsets = np.frombuffer(text.buffers()[1], dtype=np.int64)[
        text.offset: text.offset + len(text) + 1]
    buffer = text.buffers()[2]
    data = np.frombuffer(buffer, dtype=np.uint8) if buffer is not None else \
        np.zeros(0, dtype=np.uint8)
    start = offsets[:-1]
    length = offsets[1:] - start
    n = len(length)
    width = np.minimum(length, _MAX_LEN)
    # byte position by byte position over the ids that are that long (longest first)
    same = bool(n) and width.min() == width.max()
    order = np.arange(n) if same else np.argsort(-width, kind="stable")
    starts = start[order]
    active = np.searchsorted(-width[order], -np.arange(1, int(width.max(initial=0)) + 1),
                             side="right")
    sums = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j, m in enumerate(active.tolist()):
            byte = data[starts[:m] + j].astype(np.uint64) + np.uint64(1)
            sums[:m] += byte * _MULTIPLIERS[j]
        out = np.empty(n, dtype=np.uint64)
        out[order] = (sums ^ (sums >> np.uint64(31))) * _MIX + length[order].astype(
            np.uint64) * _MIX
    return out


class DuplicateCheck:
    """Collect ``(hash, row)`` pairs; :meth:`suspects` returns rows with equal hashes."""

    def __init__(self, directory: Path | None = None) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="kekiz-ids-", dir=directory)
        self.dir = Path(self._tmp.name)
        self._buffer: list[NDArray[np.int64]] = []
        self._buffered = 0
        self.count = 0

    def add(self, ids: pa.Array | pa.ChunkedArray, rows: NDArray[np.int64]) -> None:
        """Add ids (no nulls; text or numbers, compared as trimmed text) and their rows."""
        if len(ids) == 0:
            return
        pairs = np.empty((len(ids), 2), dtype=np.int64)
        pairs[:, 0] = hash_ids(ids).view(np.int64)
        pairs[:, 1] = rows
        self._buffer.append(pairs)
        self._buffered += len(ids)
        self.count += len(ids)
        if self._buffered >= _FLUSH:
            self._flush()

    def _flush(self) -> None:
        if not self._buffer:
            return
        pairs = np.concatenate(self._buffer)
        self._buffer, self._buffered = [], 0
        part = (pairs[:, 0].view(np.uint64) >> _SHIFT).astype(np.uint8)
        order = np.argsort(part, kind="stable")  # radix sort on 8-bit keys
        pairs, part = pairs[order], part[order]
        bounds = np.searchsorted(part, np.arange(_PARTS + 1))
        for p in range(_PARTS):
            lo, hi = bounds[p], bounds[p + 1]
            if hi > lo:
                with (self.dir / f"{p:02d}.bin").open("ab") as fh:
                    fh.write(pairs[lo:hi].tobytes())

    def suspects(self, limit: int = 1_000_000) -> tuple[int, NDArray[np.int64]]:
        """``(records after the first with an equal hash, the rows of every record in such
        a group)`` - at most ``limit`` rows."""
        self._flush()
        n_dup = 0
        rows: list[NDArray[np.int64]] = []
        kept = 0
        for p in range(_PARTS):
            path = self.dir / f"{p:02d}.bin"
            if not path.exists():
                continue
            pairs = np.fromfile(path, dtype=np.int64).reshape(-1, 2)
            hashes = np.sort(pairs[:, 0])
            same = hashes[1:] == hashes[:-1]
            if not same.any():
                continue
            n_dup += int(same.sum())
            repeated = np.unique(hashes[1:][same])
            if kept < limit:
                take = np.sort(pairs[np.isin(pairs[:, 0], repeated), 1])[: limit - kept]
                rows.append(take)
                kept += len(take)
        out = np.sort(np.concatenate(rows)) if rows else np.zeros(0, dtype=np.int64)
        return n_dup, out

    def close(self) -> None:
        self._tmp.cleanup()
