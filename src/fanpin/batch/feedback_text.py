"""County answers (核查结果) and the sentence shown beside a finding that persists after one.

The six answers are the drop-down values of the 核查结果 column in the agency lists. When a
finding is still there the next quarter, the workbook says what the county answered and what
this quarter's data still shows, e.g. "县里已答复已纳入低保，但本季度低保名单中仍无此人".
"""

from __future__ import annotations

import pandas as pd

from fanpin.findings import CODES
from fanpin.reports.agency import FEEDBACK_CHOICES

STR = pd.StringDtype("pyarrow")

# The drop-down values the agency workbooks offer (one list, kept in reports.agency).
FEEDBACK_ANSWERS = tuple(FEEDBACK_CHOICES)
ANSWER_NOT_ELIGIBLE = "不符合条件"
ANSWER_DEAD = "已死亡"
ANSWER_WRONG_INFO = "信息有误"

# What this quarter's data still shows, per finding code.
_STILL = {
    "NEW_RISK_DISABLED": "本季度仍列为新增未解除返贫风险残疾人",
    "NOT_MONITORED_SEVERE": "本季度防返贫监测名单中仍无此人",
    "MISSING_DIBAO": "本季度低保名单中仍无此人",
    "MISSING_LIVING_SUBSIDY": "本季度两项补贴发放名单中仍无此人的困难残疾人生活补贴",
    "MISSING_CARE_SUBSIDY": "本季度两项补贴发放名单中仍无此人的重度残疾人护理补贴",
    "DECEASED_PAID": "本季度此人仍在领取补贴或低保仍为在保",
}


def _still(code: str) -> str:
    if code in _STILL:
        return _STILL[code]
    title = CODES[code].title if code in CODES else code
    return f"本季度比对仍发现此问题（{title}）"


def persisting_text_for(answer: str, code: str) -> str:
    """The sentence for one (answer, code) pair."""
    if answer == ANSWER_NOT_ELIGIBLE:
        return f"县里已答复不符合条件，{_still(code)}；如确不符合，请在备注中写明理由"
    if answer == ANSWER_DEAD:
        return f"县里已答复已死亡，但{_still(code)}；请核实残联证件状态和发放名单"
    if answer == ANSWER_WRONG_INFO:
        return f"县里已答复信息有误，但{_still(code)}，数据仍未更正"
    return f"县里已答复{answer}，但{_still(code)}"


def persisting_text(answers: pd.Series, codes: pd.Series) -> pd.Series:
    """Vectorised over rows: one sentence per distinct (answer, code) pair, NA without answer."""
    keys = answers.astype(STR) + "\x1f" + codes.astype(STR)
    texts = {}
    for key in keys.dropna().unique():
        answer, code = str(key).split("\x1f")
        texts[key] = persisting_text_for(answer, code)
    return keys.map(texts).astype(STR)
