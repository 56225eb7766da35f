"""Write what validate produces: problems.csv and one annotated copy per input."""

from __future__ import annotations

from pathlib import Path

from fanpin.forms.layout import refuse_inputs
from fanpin.forms.validate.annotate import annotated_name, write_annotated
from fanpin.forms.validate.problems import write_problems_csv
from fanpin.forms.validate.runner import ValidationReport

PROBLEMS_CSV = "problems.csv"


def write_outputs(report: ValidationReport, out_dir: Path) -> list[Path]:
    """problems.csv plus <input>_审核标注.xlsx for each input; returns the paths written."""
    inputs = [f.path for f in report.files]
    out_dir.mkdir(parents=True, exist_ok=True)
    targets: list[Path] = []
    used: set[str] = set()
    for f in report.files:
        name = annotated_name(f.path)
        stem, n = name.removesuffix(".xlsx"), 2
        while name in used:  # two inputs with one name from different folders
            name, n = f"{stem}_{n}.xlsx", n + 1
        used.add(name)
        targets.append(out_dir / name)
    problems_path = out_dir / PROBLEMS_CSV
    for target in [problems_path, *targets]:
        refuse_inputs(target, inputs)

    write_problems_csv(report.frame(), problems_path)
    for f, target in zip(report.files, targets, strict=True):
        if f.grid is not None:
            write_annotated(f.grid, f.problems, target)
    return [problems_path, *targets]
