"""Set membership on Arrow string keys (Series.isin on strings is slow at scale)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from fanpin.normalize.ids import id_codes


def _arrow(values: pd.Series) -> pa.Array:
    return pa.array(values.astype("string").array, type=pa.string(), from_pandas=True)


def member_of(keys: pd.Series, pool: pd.Series) -> np.ndarray:
    """Boolean array: is each key (non-missing) present in pool? Missing keys are False."""
    if len(keys) == 0:
        return np.zeros(0, dtype=bool)
    try:  # person keys are normalised IDs: compare int64 codes (several times faster)
        key_codes, pool_codes = id_codes(keys), id_codes(pool)
    except ValueError:  # other keys (e.g. composite text keys): Arrow's hash set
        value_set = pc.unique(_arrow(pool.dropna()))
        hit = pc.is_in(_arrow(keys), value_set=value_set, skip_nulls=True)
        return np.asarray(hit.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)
    found = pd.Series(key_codes).isin(pool_codes[pool_codes >= 0]).to_numpy(dtype=bool)
    return found & (key_codes >= 0)
