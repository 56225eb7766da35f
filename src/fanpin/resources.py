"""Locate the data files shipped in `schemas/` (installed or in a source checkout)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def schema_dir() -> Path:
    """The folder holding rules.toml, columns.toml, divisions.csv and friends."""
    installed = Path(str(resources.files("fanpin"))) / "_schemas"
    if installed.is_dir():
        return installed
    # Editable install / source checkout: repo_root/schemas.
    return Path(__file__).resolve().parents[2] / "schemas"


def schema_file(name: str) -> Path:
    return schema_dir() / name
