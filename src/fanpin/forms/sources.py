"""Reading the lists the forms are filled from and checked against (via fanpin.io)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from fanpin.divisions import place_of_codes
from fanpin.errors import ErrorCode, InputError, InputProblem
from fanpin.forms.grid import read_grid
from fanpin.forms.places import parse_addresses
from fanpin.forms.recognise import recognise_sheet
from fanpin.forms.validate.context import history_register, roster_register
from fanpin.forms.validate.read_annex3 import read_annex3
from fanpin.io.read import read_tables
from fanpin.measures.history import prepare_history
from fanpin.measures.rules import parse_measures_rules
from fanpin.rules import RulesFile

STR = pd.StringDtype("pyarrow")
CASH_MEASURE = "cash"  # the one-off cash in [measures.cash] of the rules file
_EMPTY_HISTORY = pd.DataFrame(
    {
        "id": pd.Series(dtype=STR),
        "year": pd.Series(dtype="Int64"),
        "source": pd.Series(dtype=STR),
        "city": pd.Series(dtype=STR),
    }
)


def read_people(paths: Sequence[Path], kind: str) -> pd.DataFrame:
    """Rows of one input kind (roster, survey, ...) from all files, English field names."""
    tables = read_tables(list(paths), kind)
    frames = [t.frame for t in tables if len(t.frame)]
    if not frames:
        return tables[0].frame if tables else pd.DataFrame()
    return pd.concat(frames, ignore_index=True)


def load_roster(paths: Sequence[Path]) -> pd.DataFrame:
    """The roster register (id, name_norm, cert_status) from roster.csv files."""
    return roster_register(read_people(paths, "roster"))


def _annex3_payments(path: Path) -> pd.DataFrame | None:
    """Payees of an earlier Annex 3 workbook (year from its title), or None if it is not one."""
    if path.suffix.lower() not in (".xlsx", ".xlsm", ".xls", ".ods"):
        return None
    grid = read_grid(path)
    forms = [read_annex3(s, path.name) for s in grid.sheets if recognise_sheet(s) == "annex3"]
    if not forms:
        return None
    frames = [_EMPTY_HISTORY]
    for form in forms:
        if form.year is None:
            raise InputError.single(
                ErrorCode.BAD_VALUE,
                "往年发放登记汇总表的标题中没有年度，无法判断发放年份",
                file=path.name,
                sheet=form.sheet,
            )
        e = form.entries
        if len(e):
            year = pd.Series(form.year, index=e.index)
            source = pd.Series(path.name, index=e.index, dtype=STR)
            paid = history_register(e["number"], year, source)
            addresses = parse_addresses(e["address"])["city"].dropna()
            city = form.city or (str(addresses.mode().iloc[0]) if len(addresses) else None)
            frames.append(paid.assign(city=pd.Series(city, index=paid.index, dtype=STR)))
    return pd.concat(frames, ignore_index=True)


def load_history(paths: Sequence[Path], rules: RulesFile) -> pd.DataFrame:
    """One-off cash payments (id, year, source, city): from Annex 3 workbooks (year from the
    title, city from the stamp line or the addresses), or from the help-history table
    (历年帮扶记录: 公民身份号码, 帮扶措施, 年度), keeping its cash rows; a table row's city
    comes from the ID's division code."""
    frames: list[pd.DataFrame] = []
    tables: list[Path] = []
    for path in paths:
        found = _annex3_payments(Path(path))
        if found is None:
            tables.append(Path(path))
        else:
            frames.append(found)
    if tables:
        measures = parse_measures_rules(rules)
        problems: list[InputProblem] = []
        for table in read_tables(tables, "history"):
            try:
                prepared = prepare_history(table.frame, measures)
            except InputError as exc:
                problems += exc.problems
                continue
            cash = prepared[prepared["measure"] == CASH_MEASURE]
            frames.append(
                pd.DataFrame(
                    {
                        "id": cash["pid"].astype(STR),
                        "year": cash["year"].astype("Int64"),
                        "source": pd.Series(table.path.name, index=cash.index, dtype=STR),
                    }
                )
            )
        if problems:
            raise InputError(problems)
    history = pd.concat([_EMPTY_HISTORY, *frames], ignore_index=True)
    # Without a city (history tables), the ID's division code says where the person is from.
    from_id = place_of_codes(history["id"].str.slice(0, 6))["city"]
    history["city"] = history["city"].fillna(from_id)
    return history
