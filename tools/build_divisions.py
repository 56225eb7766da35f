"""Regenerate schemas/divisions.csv (Shanxi GB/T 2260 codes with years) from python-stdnum.

Run: .venv/bin/python tools/build_divisions.py. python-stdnum is a dev dependency only;
fanpin reads the generated CSV at run time.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import stdnum.cn

LINE = re.compile(r'\s+(\d{4}) county="(?:\[(\d*)-(\d*)\])?(.*)"')


def main() -> None:
    loc = Path(stdnum.cn.__file__).with_name("loc.dat").read_text(encoding="utf-8")
    rows: list[dict[str, str]] = []
    in_shanxi = False
    for line in loc.splitlines():
        if line.startswith("14 "):
            in_shanxi = True
            continue
        if in_shanxi and not line.startswith(" "):
            break
        if not in_shanxi:
            continue
        match = LINE.match(line)
        if not match:
            continue
        code4, start, end, name = match.groups()
        rows.append({"code": "14" + code4, "name": name, "start": start, "end": end})
    names = {r["code"]: r["name"] for r in rows}
    out = Path(__file__).resolve().parents[1] / "schemas" / "divisions.csv"
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["code", "name", "city_code", "city_name", "level", "start", "end"])
        for r in rows:
            code = r["code"]
            city_code = code[:4] + "00"
            level = "province" if code == "140000" else "city" if code.endswith("00") else "county"
            writer.writerow(
                [code, r["name"], city_code, names.get(city_code, ""), level, r["start"], r["end"]]
            )
    print(f"wrote {len(rows)} codes to {out}")


if __name__ == "__main__":
    main()
