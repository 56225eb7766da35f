"""Arrow string arrays for the long text columns (IDs, certificate numbers, names).

Building an Arrow array from a matrix of ASCII bytes is one buffer hand-over; from numpy
unicode strings it is one conversion; either is far cheaper than numpy's variable-width
strings, whose gathers cost seconds at a million rows.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from fanpin.samples.names import text_of


def contiguous(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """One Arrow array (some conversions and kernels hand back chunked results)."""
    return values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values


def from_ascii(matrix: np.ndarray) -> pa.StringArray:
    """(n, w) ASCII bytes (zero-padded on the right) -> Arrow strings."""
    m = np.ascontiguousarray(matrix, dtype=np.uint8)
    used = m != 0
    offsets = np.zeros(len(m) + 1, dtype=np.int64)
    np.cumsum(used.sum(axis=1), out=offsets[1:])
    data = np.ascontiguousarray(m[used])
    array = pa.LargeStringArray.from_buffers(len(m), pa.py_buffer(offsets), pa.py_buffer(data))
    return contiguous(array.cast(pa.string()))


def from_codepoints(matrix: np.ndarray) -> pa.StringArray:
    """(n, w) code points (zero-padded on the right) -> Arrow strings."""
    return contiguous(pa.array(text_of(matrix), type=pa.string()))


def from_strings(values: np.ndarray) -> pa.StringArray:
    return contiguous(pa.array(values, type=pa.string()))
