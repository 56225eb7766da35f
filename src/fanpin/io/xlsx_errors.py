"""Find the cells of an xlsx sheet that hold an Excel error value (#N/A, #REF!, ...).

calamine reads these cells as "" (python-calamine issue 105). In the sheet's XML an error
cell is `<c r="G6" t="e"><f>…</f><v>#N/A</v></c>`; only those few elements are looked at, so
a sheet without errors costs one decompression and one byte search.
"""

from __future__ import annotations

import logging
import posixpath
import re
import zipfile
import zlib
from pathlib import Path
from xml.etree import ElementTree

log = logging.getLogger(__name__)

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_REF = re.compile(rb"""\br\s*=\s*["']([A-Z]{1,3})(\d+)["']""")
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")

# (row index, column index, error text), 0-based sheet coordinates
ErrorCell = tuple[int, int, str]


def sheet_parts(path: Path) -> dict[str, str]:
    """Sheet name -> path of its XML part inside the xlsx zip."""
    with zipfile.ZipFile(path) as book:
        workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels.iter(f"{_PKG}Relationship")}
    out: dict[str, str] = {}
    for sheet in workbook.iter(f"{_MAIN}sheet"):
        target = targets.get(sheet.get(_REL))
        name = sheet.get("name")
        if not target or name is None:
            continue
        # Targets are relative to xl/, or absolute from the package root.
        part = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
        out[name] = posixpath.normpath(part)
    return out


def column_index(letters: bytes) -> int:
    """0-based index of Excel column letters: A -> 0, AB -> 27."""
    index = 0
    for byte in letters:
        index = index * 26 + (byte - 64)
    return index - 1


def error_cells(path: Path, part: str) -> list[ErrorCell]:
    """The error cells of one sheet part; [] when there are none or the part is unreadable."""
    try:
        with zipfile.ZipFile(path) as book:
            data = book.read(part)
    except (OSError, KeyError, zipfile.BadZipFile, zlib.error) as exc:
        log.warning("cannot scan %s for error cells: %s", path.name, exc)
        return []
    out: list[ErrorCell] = []
    for marker in (b't="e"', b"t='e'"):
        at = data.find(marker)
        while at >= 0:
            cell = _cell_at(data, at)
            if cell is not None:
                out.append(cell)
            at = data.find(marker, at + len(marker))
    return sorted(out)


def _cell_at(data: bytes, at: int) -> ErrorCell | None:
    """The error cell whose start tag holds the type attribute found at `at`, if it is one."""
    begin = data.rfind(b"<c ", 0, at)
    if begin < 0 or data.find(b">", begin, at) >= 0:
        return None  # the attribute belongs to some other element
    head_end = data.find(b">", at)
    if head_end < 0 or data[head_end - 1 : head_end] == b"/":
        return None  # no value
    ref = _REF.search(data, begin, head_end)
    end = data.find(b"</c>", head_end)
    value = _VALUE.search(data, head_end, end if end >= 0 else len(data))
    if ref is None or value is None:
        return None
    row = int(ref.group(2)) - 1
    return (row, column_index(ref.group(1)), value.group(1).decode("utf-8", "replace"))
