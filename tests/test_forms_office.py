"""A real spreadsheet program opens every workbook the forms part writes (LibreOffice Calc,
headless, converting to PDF), and Annex 3 / Annex 4 print one page wide with the Chinese
text in the PDF's text layer. Skipped, with the reason, when LibreOffice is not installed
(`make office` or `bash tools/ensure_office.sh` installs it)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from fanpin.forms.annex1 import load_quotas, write_annex1
from fanpin.forms.annex2 import write_annex2
from fanpin.forms.annex3 import Annex3Header, payee_rows, write_annex3
from fanpin.forms.people import person_fields
from fanpin.forms.rollup import rollup
from fanpin.forms.templates import write_template
from fanpin.forms.validate.context import CheckContext
from fanpin.forms.validate.outputs import write_outputs
from fanpin.forms.validate.runner import validate_paths
from tests import forms_fixtures as fx
from tests.factories import make_id

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOTEXT = shutil.which("pdftotext")
pytestmark = [
    pytest.mark.office,
    pytest.mark.skipif(
        SOFFICE is None,
        reason="未安装 LibreOffice（soffice）：运行 make office 或 "
        "bash tools/ensure_office.sh 后再测",
    ),
    pytest.mark.skipif(
        PDFTOTEXT is None,
        reason="未安装 pdftotext（poppler-utils）：运行 bash tools/ensure_office.sh",
    ),
]


def to_pdf(files: list[Path], tmp_path: Path) -> dict[str, Path]:
    """Convert with one soffice run (its own profile folder, so parallel runs do not clash)."""
    out = tmp_path / "pdf"
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run(
        [str(SOFFICE), f"-env:UserInstallation={profile}", "--headless", "--norestore",
         "--convert-to", "pdf", "--outdir", str(out), *map(str, files)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    return {f.name: out / f"{f.stem}.pdf" for f in files}


def pages(pdf: Path) -> list[str]:
    text = subprocess.run(
        [str(PDFTOTEXT), "-layout", str(pdf), "-"], check=True, capture_output=True, timeout=60
    ).stdout.decode("utf-8")
    return [p for p in text.split("\f") if p.strip()]


def taiyuan_payees(n: int) -> pd.DataFrame:
    """n synthetic Taiyuan payees (enough for several printed pages)."""
    rows = [
        {
            "name": f"测试{i:03d}",
            "id_number": make_id("140105", f"19{60 + i % 40:02d}0101", i % 999 + 1),
            "city": "太原市",
            "county": "小店区",
            "township": "北格镇",
            "village": f"第{i}村",
            "phone": f"138{i:08d}",
            "category": str(i % 7 + 1),
            "level": str(i % 4 + 1),
        }
        for i in range(n)
    ]
    return person_fields(pd.DataFrame(rows), fx.FORM_DATE)


def test_annex3_for_one_city_prints_one_page_wide(tmp_path: Path) -> None:
    path = tmp_path / "太原市附件3.xlsx"
    write_annex3(
        path, payee_rows(taiyuan_payees(101), 500), Annex3Header("太原市", 2023, fx.FORM_DATE)
    )
    printed = pages(to_pdf([path], tmp_path)[path.name])
    assert len(printed) >= 2  # 101 rows need more than one page tall
    # Header rows repeat on every page; a page spilled to the right would lack 序号.
    for page in printed:
        assert "序号" in page and "领取人" in page and "联系电话" in page
    assert "救助金发放登记汇总表" in printed[0]
    assert "大写伍万零伍佰元整" in printed[-1]  # 101 × 500 = 50500


def test_annex4_for_one_city_prints_one_page_wide(tmp_path: Path) -> None:
    counts, total = fx.clean_annex4_counts()
    path = fx.write_annex4_file(tmp_path / "太原市附件4.xlsx", counts, total=total)
    printed = pages(to_pdf([path], tmp_path)[path.name])
    assert len(printed) == 1
    page = printed[0]
    for text in (
        "帮扶人员需求汇总统计表",
        "县（区）",
        "①生活救助",
        "⑩无障碍改造",
        "助听器",
        "古交市",
        "合计",
    ):
        assert text in page, text


def test_every_forms_workbook_opens_in_libreoffice(tmp_path: Path) -> None:
    made = tmp_path / "made"
    made.mkdir()
    people = taiyuan_payees(3).assign(amount=500)
    write_annex1(made / "附件1.xlsx", load_quotas())
    write_annex2(made / "附件2.xlsx", people)
    for kind in ("annex2", "annex3", "annex4", "survey"):
        write_template(kind, made / f"模板_{kind}.xlsx", city="太原市", year=2023)
    planted = fx.write_annex3_file(
        made / "预埋.xlsx", fx.planted_annex3_rows(), closing=fx.PLANTED_CLOSING
    )
    write_outputs(validate_paths([planted], CheckContext()), made / "审核")
    counts, total = fx.clean_annex4_counts()
    county = fx.write_annex4_file(made / "县附件4.xlsx", counts, total=total)
    rollup([county], "annex4", made / "市附件4.xlsx", CheckContext())

    files = sorted(made.rglob("*.xlsx"))
    pdfs = to_pdf(files, tmp_path)
    for name, pdf in pdfs.items():
        assert pdf.exists(), name
        text = "".join(pages(pdf))
        assert any("\u4e00" <= ch <= "\u9fff" for ch in text), f"{name}: no Chinese text in the PDF"
    annotated = "".join(pages(pdfs["预埋_审核标注.xlsx"]))
    assert "问题清单" in annotated or "SEX_MISMATCH" in annotated
