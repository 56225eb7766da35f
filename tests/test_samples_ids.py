"""The generator's identifiers: check characters worked by hand, and every ID it calls
valid passes an independent check."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from fanpin.samples import build_sample, idgen, noise
from fanpin.samples.textcols import from_ascii

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def reference_check(first17: str) -> str:
    """GB 11643 written out plainly, as a second opinion on idgen."""
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return "10X98765432"[total % 11]


@pytest.fixture(scope="module")
def built():
    return build_sample(seed=7)


def test_check_character_of_the_standard_example_is_x():
    # 1*7+1*9+0*10+1*5+0*8+5*4+1*2+9*1+4*6+9*3+1*7+2*9+3*10+1*5+0*8+0*4+2*2 = 167;
    # 167 mod 11 = 2 -> "10X98765432"[2] = "X".
    matrix = idgen.compose(
        np.array([110105]),
        idgen.birth_numbers(np.array(["1949-12-31"], "datetime64[D]")),
        np.array([2]),
    )
    assert idgen.as_text(matrix)[0] == "11010519491231002X"


def test_shanxi_id_composed_from_its_parts():
    # 1*7+4*9+0*10+1*5+0*8+5*4+1*2+9*1+8*6+0*3+0*7+1*9+0*10+1*5+1*8+2*4+3*2 = 163;
    # 163 mod 11 = 9 -> "10X98765432"[9] = "3".
    born = idgen.birth_numbers(np.array(["1980-01-01"], "datetime64[D]"))
    matrix = idgen.compose(np.array([140105]), born, np.array([123]))
    assert idgen.as_text(matrix)[0] == "140105198001011233"


def test_old_15_digit_form_drops_century_and_check():
    matrix = idgen.to_matrix(np.array(["140105198001011233"]), 18)
    assert idgen.as_text(idgen.old_form(matrix))[0] == "140105800101123"


def test_every_generated_id_passes_an_independent_check(built):
    people = built.population.people
    ids = built.person_ids()
    assert len(set(ids)) == len(ids)
    for text, male in zip(ids, people["male"], strict=True):
        assert text[17] == reference_check(text[:17])
        dt.date(int(text[6:10]), int(text[10:12]), int(text[12:14]))  # a real date
        assert int(text[16]) % 2 == int(male)  # odd sequence digit = male
        assert text.startswith("14")


def test_sequence_clashes_are_redrawn_keeping_sex():
    rng = np.random.default_rng(1)
    region = np.full(500, 140105)
    born = np.full(500, 19800101)
    seq = np.array([7] * 250 + [8] * 250)
    unique = idgen.unique_sequences(region, born, seq, rng)
    assert len(set(unique.tolist())) == 500
    assert (unique % 2 == seq % 2).all()


def test_certificate_numbers_carry_id_category_and_level(built):
    dpf = built.tables["dpf"]
    pid = dpf.num("pid")
    planted = dpf.num("planted")
    certs = dpf.text("cert_text")
    ids = built.person_ids()
    people = built.population.people
    for row in np.flatnonzero(~planted):
        cert, person = certs[row], pid[row]
        assert cert[:18] == ids[person]
        assert cert[18] == str(people["category"][person])
        assert cert[19] == str(people["level"][person])
        assert len(cert) == (22 if people["reissue"][person] else 20)


@pytest.mark.parametrize(
    ("form", "written"),
    [
        (1, "'14010519800101123X"),
        (2, "140105 19800101 123X"),
        (3, "１４０１０５１９８００１０１１２３Ｘ"),
        (4, "14010519800101123x"),
    ],
)
def test_harmless_id_forms_of_one_id(form, written):
    ids = np.array(["14010519800101123X"])
    assert noise.id_form(form, ids, np.random.default_rng(0))[0] == written


def test_zero_width_mark_goes_inside_the_id():
    out = str(noise.id_form(5, np.array(["140105198001011233"]), np.random.default_rng(0))[0])
    assert len(out) == 19 and out.replace("\u200b", "") == "140105198001011233"
    assert not out.startswith("\u200b") and not out.endswith("\u200b")


def test_ascii_matrix_becomes_arrow_text_without_padding():
    matrix = np.zeros((2, 22), dtype=np.uint8)
    matrix[0, :20] = np.frombuffer(b"14010519800101123341", dtype=np.uint8)
    matrix[1, :22] = np.frombuffer(b"14010519800101123341B2", dtype=np.uint8)
    assert from_ascii(matrix).to_pylist() == ["14010519800101123341", "14010519800101123341B2"]
