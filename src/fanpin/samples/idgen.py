"""Resident ID numbers (GB 11643-1999) built as ASCII byte matrices, so that a million IDs
cost a few numpy operations. The check character is computed here independently of
fanpin.normalize, because the sample is the oracle those normalisers are tested against."""

from __future__ import annotations

import numpy as np

WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
CHECK_CHARS = np.frombuffer(b"10X98765432", dtype=np.uint8)
ZERO = 48


def digit_matrix(values: np.ndarray, width: int) -> np.ndarray:
    """(n, width) ASCII digits of non-negative integers, zero-padded on the left."""
    kind = np.uint32 if width <= 9 else np.uint64  # 32-bit division is much faster
    rest = np.asarray(values).astype(kind)
    out = np.empty((len(rest), width), dtype=np.uint8)
    for col in range(width - 1, -1, -1):
        rest, digit = np.divmod(rest, kind(10))
        out[:, col] = digit
    out += ZERO
    return out


def check_chars(first17: np.ndarray) -> np.ndarray:
    """Check characters (ASCII codes) for an (n, 17) matrix of ASCII digits."""
    # float32 matmul is exact here (sums stay below 2000) and runs through BLAS.
    digits = first17.astype(np.float32) - ZERO
    total = np.rint(digits @ WEIGHTS.astype(np.float32)).astype(np.int64)
    return CHECK_CHARS[total % 11]


def birth_numbers(birth: np.ndarray) -> np.ndarray:
    """datetime64[D] -> YYYYMMDD as int64."""
    days = birth.astype("datetime64[D]")
    years = days.astype("datetime64[Y]").astype(np.int64) + 1970
    months = days.astype("datetime64[M]").astype(np.int64) % 12 + 1
    day = (days - days.astype("datetime64[M]")).astype(np.int64) + 1
    return years * 10000 + months * 100 + day


def compose(region: np.ndarray, born: np.ndarray, seq: np.ndarray) -> np.ndarray:
    """(n, 18) ASCII matrix of valid IDs from division code, YYYYMMDD and sequence."""
    n = len(region)
    out = np.empty((n, 18), dtype=np.uint8)
    out[:, 0:6] = digit_matrix(region, 6)
    out[:, 6:14] = digit_matrix(born, 8)
    out[:, 14:17] = digit_matrix(seq, 3)
    out[:, 17] = check_chars(out[:, :17])
    return out


def unique_sequences(
    region: np.ndarray, born: np.ndarray, seq: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Redraw sequence numbers (keeping their parity, so sex is kept) until no two people
    share the first 17 digits (region, YYYYMMDD, sequence)."""
    seq = np.asarray(seq, dtype=np.int64).copy()
    prefix = (np.asarray(region, np.int64) * 10**8 + born) * 1000
    for _ in range(50):
        keys = prefix + seq
        order = np.argsort(keys, kind="stable")
        clash = np.zeros(len(seq), dtype=bool)
        clash[order[1:][keys[order[1:]] == keys[order[:-1]]]] = True
        if not clash.any():
            return seq
        shift = 2 * rng.integers(1, 500, size=int(clash.sum()))
        seq[clash] = (seq[clash] + shift) % 1000
    raise RuntimeError("could not make ID numbers unique; the population is too dense")


def as_text(matrix: np.ndarray) -> np.ndarray:
    """ASCII matrix -> numpy unicode strings of the same width."""
    if len(matrix) == 0:
        return np.array([], dtype=f"U{matrix.shape[1]}")
    return matrix.astype(np.uint32).view(f"U{matrix.shape[1]}").ravel()


def to_matrix(ids: np.ndarray, width: int) -> np.ndarray:
    """Numpy unicode strings of exactly `width` ASCII characters -> (n, width) uint8."""
    fixed = np.asarray(ids, dtype=f"U{width}")
    return fixed.view(np.uint32).reshape(len(fixed), width).astype(np.uint8)


def old_form(matrix18: np.ndarray) -> np.ndarray:
    """15-digit form of 18-digit IDs of people born in the 1900s: drop '19' and the check."""
    return np.concatenate([matrix18[:, 0:6], matrix18[:, 8:17]], axis=1)
