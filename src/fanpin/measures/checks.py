"""Three-valued rule checks and how they combine into a decision with a reason.

A check gives each row pass, fail or unknown, with a Chinese text for that outcome. A row
is ineligible when any check fails (the first failing check, in rule order, gives the
reason: a certain "no" does not wait for missing data), undetermined when none fails but
some are unknown (all unknown texts are listed, so every missing field is named), and
eligible otherwise (the passing texts say why).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

STR = pd.StringDtype("pyarrow")

PASS, FAIL, UNKNOWN = 1, 0, -1
ELIGIBLE, INELIGIBLE, UNDETERMINED = "eligible", "ineligible", "undetermined"
DECISION_LABELS = {ELIGIBLE: "符合", INELIGIBLE: "不符合", UNDETERMINED: "无法判断"}
SEPARATOR = "；"

Text = pd.Series | str


@dataclass(frozen=True)
class Check:
    state: np.ndarray  # int8 PASS / FAIL / UNKNOWN per row
    text: pd.Series  # the text for the row's outcome; "" when there is nothing to say


def _as_series(text: Text, index: pd.Index) -> pd.Series:
    if isinstance(text, pd.Series):
        return text.astype(STR).fillna("")
    return pd.Series(text, index=index, dtype=STR)


def make_check(
    index: pd.Index,
    passed: pd.Series | np.ndarray,
    failed: pd.Series | np.ndarray,
    pass_text: Text = "",
    fail_text: Text = "",
    unknown_text: Text = "",
) -> Check:
    """Rows neither passed nor failed are unknown. `failed` wins over `passed`."""
    ok = np.asarray(pd.Series(passed, index=index).fillna(False), dtype=bool)
    bad = np.asarray(pd.Series(failed, index=index).fillna(False), dtype=bool)
    state = np.where(bad, FAIL, np.where(ok, PASS, UNKNOWN)).astype(np.int8)
    text = _as_series(unknown_text, index)
    text = text.mask(ok, _as_series(pass_text, index))
    text = text.mask(bad, _as_series(fail_text, index))
    return Check(state, text)


def constant_check(index: pd.Index, state: int, text: str) -> Check:
    return Check(np.full(len(index), state, dtype=np.int8), _as_series(text, index))


def _join(acc: pd.Series, piece: pd.Series, mask: np.ndarray) -> pd.Series:
    use = mask & (piece != "").to_numpy()
    joined = (acc + SEPARATOR + piece).str.removeprefix(SEPARATOR)
    return acc.mask(use, joined)


def combine(checks: Sequence[Check], index: pd.Index) -> tuple[pd.Series, pd.Series]:
    """Decision (eligible / ineligible / undetermined) and reason per row."""
    n = len(index)
    states = np.stack([c.state for c in checks]) if checks else np.ones((0, n), np.int8)
    any_fail = (states == FAIL).any(axis=0)
    any_unknown = (states == UNKNOWN).any(axis=0)

    fail_reason = pd.Series("", index=index, dtype=STR)
    for check in reversed(checks):
        fail_reason = fail_reason.mask(check.state == FAIL, check.text)
    unknown_reason = pd.Series("", index=index, dtype=STR)
    pass_reason = pd.Series("", index=index, dtype=STR)
    for check in checks:
        unknown_reason = _join(unknown_reason, check.text, check.state == UNKNOWN)
        pass_reason = _join(pass_reason, check.text, check.state == PASS)

    decision = np.where(any_fail, INELIGIBLE, np.where(any_unknown, UNDETERMINED, ELIGIBLE))
    reason = pass_reason.mask(any_unknown, unknown_reason).mask(any_fail, fail_reason)
    return pd.Series(decision, index=index, dtype=STR), reason
