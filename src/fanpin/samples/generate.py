"""Building the sample (tables in memory) and writing sample_data/."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from fanpin.samples import idgen
from fanpin.samples.agencies import build_tables
from fanpin.samples.faults import plant_rows
from fanpin.samples.noise import add_head_id_noise, add_id_noise, add_name_noise
from fanpin.samples.people import SAMPLE, Population, Profile, build_population
from fanpin.samples.period import Period
from fanpin.samples.plants import Planted, plant_facts, plant_rare_names
from fanpin.samples.shapes import Located, write_sample_files
from fanpin.samples.tables import Table
from fanpin.samples.truth import truth_frame

log = logging.getLogger(__name__)

SAMPLE_FILE_NAMES = [
    "dpf_taiyuan.xlsx",
    "dpf_datong.xls",
    "dpf_others.csv",
    "dibao.xlsx",
    "subsidy.csv",
    "monitor.xlsx",
]
# Files whose cells can be numbers (an ID typed as a number is planted there as a number).
SAMPLE_NUMERIC_FILES = {"dpf_datong.xls", "dibao.xlsx"}
SAMPLE_GBK_FILES = {"dpf_others.csv"}


@dataclass
class Built:
    """A generated population and its agency tables, before anything is written."""

    population: Population
    tables: dict[str, Table]
    plants: list[Planted]

    def person_ids(self) -> np.ndarray:
        """The true 18-character ID of every person."""
        return idgen.as_text(self.population.people["id"])


def build(
    profile: Profile,
    seed: int,
    quarter: str,
    *,
    split_dpf: bool,
    numeric_files: set[str],
    gbk_files: set[str],
    rare_names: int = 3,
) -> Built:
    """Population, planted situations, tables and harmless noise, all from one seed."""
    rng = np.random.default_rng(seed)
    period = Period.parse(quarter)
    pop = build_population(profile, period, rng)
    plant_rare_names(pop, rng, rare_names)
    planter = plant_facts(pop, profile, rng)
    tables = build_tables(pop, split_dpf)
    plant_rows(planter, tables, profile, numeric_files)
    for t in tables.values():
        add_id_noise(pop, t, profile.noise_share, rng, numeric_files, gbk_files)
        add_name_noise(pop, t, profile.noise_share, rng, gbk_files)
        if "head_id_text" in t.cols:
            add_head_id_noise(t, profile.noise_share, rng)
    return Built(pop, tables, planter.out)


def build_sample(seed: int = 7, quarter: str = "2024Q3", profile: Profile = SAMPLE) -> Built:
    return build(
        profile,
        seed,
        quarter,
        split_dpf=True,
        numeric_files=SAMPLE_NUMERIC_FILES,
        gbk_files=SAMPLE_GBK_FILES,
    )


@dataclass
class SampleResult:
    out_dir: Path
    files: list[Path]
    truth: pd.DataFrame
    controls: pd.DataFrame
    rows: dict[str, int]  # data rows written per file
    seconds: float


def write_truth(built: Built, located: dict[str, Located], out: Path) -> tuple:
    ids = built.person_ids()
    truth = truth_frame(built.plants, built.tables, located, ids, expected=True)
    controls = truth_frame(built.plants, built.tables, located, ids, expected=False)
    controls = controls.rename(columns={"code": "absent_code"})
    truth.to_csv(out / "truth.csv", index=False, encoding="utf-8-sig")
    controls.to_csv(out / "controls.csv", index=False, encoding="utf-8-sig")
    return truth, controls


def generate_sample(
    out_dir: Path, seed: int = 7, quarter: str = "2024Q3", profile: Profile = SAMPLE
) -> SampleResult:
    """Write the six sample files, truth.csv and controls.csv into `out_dir`."""
    started = time.perf_counter()
    out_dir = Path(out_dir)
    built = build_sample(seed, quarter, profile)
    located = write_sample_files(built.population, built.tables, out_dir)
    truth, controls = write_truth(built, located, out_dir)
    rows: dict[str, int] = {}
    for loc in located.values():
        names, counts = np.unique(loc.source.astype(str), return_counts=True)
        rows.update({str(n): int(c) for n, c in zip(names, counts, strict=True)})
    seconds = time.perf_counter() - started
    log.info("sample written to %s in %.1f s", out_dir, seconds)
    files = [out_dir / n for n in SAMPLE_FILE_NAMES]
    return SampleResult(out_dir, files, truth, controls, rows, seconds)
