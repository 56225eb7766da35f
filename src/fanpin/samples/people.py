"""The synthetic population: households, people, certificates and agency memberships.

Everything is drawn with numpy from one seeded generator, column by column, so the same
code builds a few thousand people for sample_data/ and millions for the benchmark. The
baseline is built so that no finding arises by chance: every risk disabled person is on
低保 and paid what is due, nobody is newly certified unless chosen on purpose, dead and
cancelled holders are neither paid nor 在保. Situations that should be found are planted
afterwards (see plants.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from fanpin.samples import idgen
from fanpin.samples.names import make_names, pick_surnames
from fanpin.samples.period import Period
from fanpin.samples.places import AREA_CODES, Counties, Places, historic_codes, make_places

# Codes used in the fact columns (labels are applied when tables are built).
MONITOR_NONE, POVERTY_EXITED, MONITORED_AT_RISK, MONITORED_CLEARED = 0, 1, 2, 3
DIBAO_NONE, DIBAO_URBAN, DIBAO_RURAL, DIBAO_DESTITUTE = 0, 1, 2, 3
STATUS_VALID, STATUS_DEAD, STATUS_CANCELLED, STATUS_MOVED = 0, 1, 2, 3
REL_HEAD, REL_SPOUSE, REL_CHILD, REL_GRANDCHILD, REL_PARENT = 0, 1, 2, 3, 4
NO_PAY = 3  # "first paid month" meaning: not paid in the quarter

CERT_EPOCH = np.datetime64("2008-01-01")  # second-generation certificates began in 2008


@dataclass(frozen=True)
class Profile:
    """How big the population is and how its facts are distributed."""

    disabled_households: int
    dibao_only_households: int  # 低保 households with nobody disabled
    monitor_only_households: int  # monitored households with nobody disabled
    p_monitored: float  # share of disabled households in the monitoring list
    monitor_mix: tuple[float, float, float]  # 脱贫户, 监测户 risk not cleared, 监测户 cleared
    p_dibao: float  # share of (non-risk) disabled households on 低保
    dibao_mix: tuple[float, float, float]  # 城市低保, 农村低保, 特困供养
    p_dibao_stopped: float  # share of non-risk 低保 households marked 停保
    p_two_disabled: float
    level_p: tuple[float, float, float, float]
    category_p: tuple[float, float, float, float, float, float, float]
    status_p: tuple[float, float, float, float]  # 正常, 死亡, 注销, 迁出
    p_reissued: float
    p_minority: float
    p_historic_region: float
    towns_per_county: int
    villages_per_town: int
    new_controls: int  # newly certified people that no rule should flag
    plants: int  # how many of each planted situation
    noise_share: float  # share of rows given each harmless noise form
    household_sizes: tuple[float, ...] = (0.18, 0.32, 0.2, 0.16, 0.1, 0.04)

    def scaled(self, factor: float) -> Profile:
        """The same shape with household and plant counts multiplied by `factor`."""
        from dataclasses import replace

        return replace(
            self,
            disabled_households=round(self.disabled_households * factor),
            dibao_only_households=round(self.dibao_only_households * factor),
            monitor_only_households=round(self.monitor_only_households * factor),
            new_controls=max(1, round(self.new_controls * factor)),
            plants=max(1, round(self.plants * factor)),
        )


@dataclass
class Population:
    """Facts about households (`hh`) and people (`people`) as aligned numpy columns."""

    period: Period
    counties: Counties
    places: Places
    hh: dict[str, np.ndarray]
    people: dict[str, np.ndarray]
    # Derived arrays built once (e.g. everyone's name as Arrow text); cleared on changes.
    cache: dict[str, Any] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.people["hh"])

    def person_hh(self, column: str) -> np.ndarray:
        """A household column spread to people."""
        return self.hh[column][self.people["hh"]]


def _households(profile: Profile, counties: Counties, rng: np.random.Generator) -> dict:
    n_dis = profile.disabled_households
    n_dib = profile.dibao_only_households
    n_mon = profile.monitor_only_households
    n = n_dis + n_dib + n_mon
    kind = np.repeat(np.array([0, 1, 2], dtype=np.int8), [n_dis, n_dib, n_mon])

    # Counties: uneven weights, as real counties differ in size.
    weights = rng.gamma(4.0, 1.0, len(counties))
    # Sorted, so that people (and table rows) come county by county as files list them.
    county = np.sort(rng.choice(len(counties), size=n, p=weights / weights.sum()))

    # Monitoring list: some disabled households, all monitor-only households.
    monitored = np.where(kind == 2, True, (kind == 0) & (rng.random(n) < profile.p_monitored))
    mix = np.array(profile.monitor_mix) / sum(profile.monitor_mix)
    monitor = np.where(monitored, rng.choice([1, 2, 3], size=n, p=mix), MONITOR_NONE)
    monitor_class = rng.choice(3, size=n, p=[0.45, 0.4, 0.15])

    # 低保: households at risk are always covered in the baseline (a gap is a plant).
    at_risk = (monitor == MONITORED_AT_RISK) & (kind == 0)
    on_dibao = (kind == 1) | at_risk | ((kind != 1) & (rng.random(n) < profile.p_dibao))
    dmix = np.array(profile.dibao_mix) / sum(profile.dibao_mix)
    dibao = np.where(on_dibao, rng.choice([1, 2, 3], size=n, p=dmix), DIBAO_NONE)
    dibao_active = on_dibao & ~(~at_risk & (rng.random(n) < profile.p_dibao_stopped))

    # Sizes: 特困供养 people live alone; a household with two disabled has two people.
    size_p = np.array(profile.household_sizes) / sum(profile.household_sizes)
    size = rng.choice(np.arange(1, len(size_p) + 1), size=n, p=size_p)
    size[dibao == DIBAO_DESTITUTE] = 1
    n_disabled = np.where(kind == 0, 1 + (rng.random(n) < profile.p_two_disabled), 0)
    n_disabled = np.minimum(n_disabled, size)

    return {
        "kind": kind,
        "county": county,
        "township": rng.integers(0, profile.towns_per_county, n),
        "village": rng.integers(0, profile.villages_per_town, n),
        "size": size,
        "monitor": monitor.astype(np.int8),
        "monitor_class": monitor_class.astype(np.int8),
        "dibao": dibao.astype(np.int8),
        "dibao_active": dibao_active,
        "n_disabled": n_disabled,
        "minority": rng.random(n) < profile.p_minority,
        "surname": pick_surnames(rng, n),
    }


def _ages(hh: dict, person_hh: np.ndarray, pos: np.ndarray, rng: np.random.Generator) -> tuple:
    """Relation to the head and age in years for each person."""
    n = len(person_hh)
    head_age = 25 + rng.beta(2.2, 1.5, len(hh["size"])) * 70
    base = head_age[person_hh]
    rel = np.full(n, REL_CHILD, dtype=np.int8)
    rel[pos == 0] = REL_HEAD
    spouse = (pos == 1) & (rng.random(n) < 0.85)
    rel[spouse] = REL_SPOUSE
    roll = rng.random(n)
    rel[(pos >= 2) & (roll < 0.15) & (base > 60)] = REL_GRANDCHILD
    rel[(pos >= 2) & (roll > 0.95) & (base < 55)] = REL_PARENT

    age = base.copy()
    age[rel == REL_SPOUSE] += rng.normal(0, 4, spouse.sum())
    child = rel == REL_CHILD
    age[child] = base[child] - rng.uniform(20, 38, child.sum())
    grand = rel == REL_GRANDCHILD
    age[grand] = base[grand] - rng.uniform(42, 60, grand.sum())
    parent = rel == REL_PARENT
    age[parent] = base[parent] + rng.uniform(20, 30, parent.sum())
    young = age < 1
    age[young] = rng.uniform(1, 17, young.sum())
    return rel, np.clip(age, 1, 99)


def _choose_disabled(
    hh: dict, person_hh: np.ndarray, pos: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Mark n_disabled (1 or 2) distinct random members of each household."""
    size = hh["size"]
    one = rng.integers(0, size)
    two = (one + rng.integers(1, np.maximum(size, 2))) % size
    first = pos == one[person_hh]
    second = (hh["n_disabled"][person_hh] == 2) & (pos == two[person_hh])
    return (first & (hh["n_disabled"][person_hh] >= 1)) | second


def _regions(
    counties: Counties, county: np.ndarray, birth_year: np.ndarray, p: float, rng
) -> np.ndarray:
    """Division code in each ID: the county's code, or for some older people a code of the
    same city since abolished (IDs keep the code they were issued under)."""
    region = counties.code[county].copy()
    old = historic_codes()
    if not old or p <= 0:
        return region
    # Abolished codes grouped by city prefix (1401 ... 1411): a small padded table.
    prefixes = np.arange(1401, 1412)
    by_city = [[d for d in old if int(d.code) // 100 == c] for c in prefixes]
    width = max(1, max(len(g) for g in by_city))
    codes = np.zeros((len(prefixes), width), dtype=np.int64)
    ends = np.zeros((len(prefixes), width), dtype=np.int64)
    for i, group in enumerate(by_city):
        codes[i, : len(group)] = [int(d.code) for d in group]
        ends[i, : len(group)] = [d.end for d in group]
    counts = np.array([len(g) for g in by_city])

    city = np.clip(region // 100 - 1401, 0, len(prefixes) - 1)
    pick = (rng.random(len(region)) * np.maximum(counts[city], 1)).astype(np.int64)
    # Issued as an adult while the old code was still in use.
    eligible = (counts[city] > 0) & (birth_year + 16 < ends[city, pick])
    eligible &= rng.random(len(region)) < p
    region[eligible] = codes[city, pick][eligible]
    return region


def _phones(city_prefix: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Mobile numbers mostly, some landlines (区号-7位), some blank; numpy U12."""
    n = len(city_prefix)
    out = np.zeros((n, 12), dtype=np.uint8)
    out[:, 0] = ord("1")
    out[:, 1] = np.array([3, 5, 7, 8, 9], dtype=np.uint8)[rng.integers(0, 5, n)] + idgen.ZERO
    out[:, 2:11] = idgen.digit_matrix(rng.integers(0, 10**9, n), 9)
    landline = rng.random(n) < 0.06
    area = np.array([int(AREA_CODES[str(c)]) for c in range(1401, 1412)])
    local = idgen.digit_matrix(rng.integers(2_000_000, 10_000_000, int(landline.sum())), 7)
    out[landline, 0:4] = idgen.digit_matrix(area[np.clip(city_prefix - 1401, 0, 10)][landline], 4)
    out[landline, 4] = ord("-")
    out[landline, 5:12] = local
    out[rng.random(n) < 0.07] = 0
    return idgen.as_text(out)


def _cert_dates(birth: np.ndarray, before: np.datetime64, rng) -> np.ndarray:
    """Issue dates between 2008 (or half a year after birth) and `before`."""
    low = np.maximum(birth + np.timedelta64(180, "D"), CERT_EPOCH)
    span = np.maximum((before - low).astype(np.int64), 1)
    return low + (rng.random(len(birth)) * span).astype(np.int64).astype("timedelta64[D]")


def build_population(profile: Profile, period: Period, rng: np.random.Generator) -> Population:
    """The baseline population: no situation in it should produce a finding."""
    from fanpin.samples.places import load_counties

    counties = load_counties()
    places = make_places(counties, rng, profile.towns_per_county, profile.villages_per_town)
    hh = _households(profile, counties, rng)

    # People: expand households, first member is the head.
    person_hh = np.repeat(np.arange(len(hh["size"])), hh["size"])
    first = np.cumsum(hh["size"]) - hh["size"]
    pos = np.arange(len(person_hh)) - first[person_hh]
    rel, age = _ages(hh, person_hh, pos, rng)
    n = len(person_hh)

    disabled = _choose_disabled(hh, person_hh, pos, rng)
    # Disabled people are at least two, so a certificate can predate the quarter.
    age[disabled] = np.maximum(age[disabled], 2.5)
    days = (age * 365.25).astype(np.int64) + rng.integers(0, 365, n)
    birth = period.end - days.astype("timedelta64[D]")

    # Sex: heads mostly men, spouses the other sex.
    male = rng.random(n) < 0.5
    male[rel == REL_HEAD] = rng.random((rel == REL_HEAD).sum()) < 0.7
    head_male = male[first][person_hh]
    male[rel == REL_SPOUSE] = ~head_male[rel == REL_SPOUSE]

    # IDs: sequence parity carries the sex (odd = male).
    birth_year = birth.astype("datetime64[Y]").astype(np.int64) + 1970
    county = hh["county"][person_hh]
    region = _regions(counties, county, birth_year, profile.p_historic_region, rng)
    seq = 2 * rng.integers(0, 500, n) + male
    born = idgen.birth_numbers(birth)
    seq = idgen.unique_sequences(region, born, seq, rng)
    ids = idgen.compose(region, born, seq)

    # Names: household surname, spouses their own; minority households dotted names.
    surname = hh["surname"][person_hh].copy()
    spouse = rel == REL_SPOUSE
    surname[spouse] = pick_surnames(rng, int(spouse.sum()))
    names = make_names(rng, male, surname, hh["minority"][person_hh])

    # Certificates.
    nd = int(disabled.sum())
    category = np.zeros(n, np.int8)
    level = np.zeros(n, np.int8)
    status = np.zeros(n, np.int8)
    category[disabled] = rng.choice(np.arange(1, 8), size=nd, p=profile.category_p)
    level[disabled] = rng.choice(np.arange(1, 5), size=nd, p=profile.level_p)
    status[disabled] = rng.choice(4, size=nd, p=profile.status_p)
    reissue = np.where(disabled & (rng.random(n) < profile.p_reissued), rng.integers(1, 4, n), 0)
    cert_date = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    cert_date[disabled] = _cert_dates(birth[disabled], period.start - np.timedelta64(1, "D"), rng)
    start_year = counties.start[county]

    people = {
        "hh": person_hh,
        "pos": pos,
        "rel": rel,
        "male": male,
        "birth": birth,
        "region": region,
        "id": ids,  # (n, 18) ASCII
        "can15": (birth_year <= 1984) & (start_year <= 1996) & (region == counties.code[county]),
        "name": names.matrix,  # (n, WIDTH) code points
        "dotted": names.dotted,
        "two_chars": names.two_chars,
        "rare_name": np.zeros(n, dtype=bool),
        "disabled": disabled,
        "category": category,
        "level": level,
        "status": status,
        "reissue": reissue.astype(np.int8),
        "cert_date": cert_date,
        "phone": _phones(counties.code[county] // 100, rng),
        # Coverage facts the tables are built from (plants override them).
        "withhold_living": np.zeros(n, dtype=bool),
        "withhold_care": np.zeros(n, dtype=bool),
        "dibao_row_active": np.zeros(n, dtype=bool),
        "extra_pay": np.full(n, -1, dtype=np.int8),  # paid one month despite the rules
        "pay_from": np.zeros(n, dtype=np.int8),  # first month index paid (3 = none)
        "pay_from_override": np.full(n, -1, dtype=np.int8),  # planted: paid from this month
        "used": np.zeros(n, dtype=bool),  # already carries a planted situation
    }
    pop = Population(period, counties, places, hh, people)
    refresh_dibao_rows(pop)
    return pop


def refresh_dibao_rows(pop: Population) -> None:
    """Row status in the 低保 roster: the household's, except that dead, cancelled and
    moved holders are 停保."""
    p = pop.people
    gone = p["disabled"] & (p["status"] != STATUS_VALID)
    p["dibao_row_active"] = (pop.person_hh("dibao") > 0) & pop.person_hh("dibao_active") & ~gone


def set_pay_from(pop: Population) -> None:
    """First month of the quarter paid: the month after a certificate issued in the
    quarter, else the first month."""
    p = pop.people
    cert = p["cert_date"]
    in_quarter = (cert >= pop.period.start) & (cert <= pop.period.end)
    month = cert.astype("datetime64[M]") - pop.period.start.astype("datetime64[M]")
    after = month.astype(np.int64) + 1
    p["pay_from"] = np.where(in_quarter, after, 0).astype(np.int8)


SAMPLE = Profile(
    disabled_households=1500,
    dibao_only_households=160,
    monitor_only_households=120,
    p_monitored=0.4,
    monitor_mix=(0.25, 0.55, 0.2),
    p_dibao=0.45,
    dibao_mix=(0.25, 0.65, 0.1),
    p_dibao_stopped=0.06,
    p_two_disabled=0.1,
    level_p=(0.15, 0.3, 0.25, 0.3),
    category_p=(0.12, 0.12, 0.02, 0.45, 0.09, 0.12, 0.08),
    status_p=(0.92, 0.03, 0.02, 0.03),
    p_reissued=0.03,
    p_minority=0.015,
    p_historic_region=0.03,
    towns_per_county=4,
    villages_per_town=6,
    new_controls=6,
    plants=5,
    noise_share=0.03,
)

# Provincial scale: ~1,000,000 certificate holders, ~1,500,000 低保 rows, ~2,400,000
# payroll rows over three months, ~300,000 monitoring rows.
PROVINCE = Profile(
    disabled_households=926_000,
    dibao_only_households=105_000,
    monitor_only_households=35_500,
    p_monitored=0.08,
    monitor_mix=(0.8, 0.07, 0.13),
    p_dibao=0.47,
    dibao_mix=(0.25, 0.68, 0.07),
    p_dibao_stopped=0.04,
    p_two_disabled=0.1,
    level_p=(0.19, 0.27, 0.25, 0.29),
    category_p=(0.12, 0.12, 0.02, 0.45, 0.09, 0.12, 0.08),
    status_p=(0.93, 0.03, 0.015, 0.025),
    p_reissued=0.03,
    p_minority=0.005,
    p_historic_region=0.02,
    towns_per_county=12,
    villages_per_town=20,
    new_controls=2000,
    plants=300,
    noise_share=0.01,
)
