"""Regenerate the committed sample data (sample_data/) or a provincial-scale set.

    python tools/gen_sample.py --out sample_data --seed 7
    python tools/gen_sample.py --out bench/data/p1 --scale 1.0 --format parquet

The sample is deterministic for a seed: the same seed gives the same rows (xlsx/xls
files differ only in the timestamps inside the zip).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from fanpin.samples import generate_sample, generate_scale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="生成合成样例数据（残联、民政、乡村振兴）")
    parser.add_argument("--out", type=Path, required=True, help="输出目录")
    parser.add_argument("--seed", type=int, default=7, help="随机种子（默认 7）")
    parser.add_argument("--quarter", default="2024Q3", help="比对季度（默认 2024Q3）")
    parser.add_argument(
        "--scale", type=float, help="生成省级规模数据（1 = 100万持证人）；不给则生成样例"
    )
    parser.add_argument(
        "--format", choices=["parquet", "xlsx"], default="parquet", help="省级规模数据的格式"
    )
    args = parser.parse_args(argv)

    if args.scale is None:
        result = generate_sample(args.out, seed=args.seed, quarter=args.quarter)
        for name, rows in sorted(result.rows.items()):
            print(f"{name}: {rows} 行")
        print(f"truth.csv：{len(result.truth)} 条应发现的问题")
        print(f"controls.csv：{len(result.controls)} 条不应报出的对照")
        print(f"用时 {result.seconds:.1f} 秒，已写入 {args.out}")
        return 0
    scaled = generate_scale(
        args.out, scale=args.scale, fmt=args.format, seed=args.seed, quarter=args.quarter
    )
    for kind, rows in scaled.rows.items():
        print(f"{kind}: {rows:,} 行")
    print("用时 " + "，".join(f"{k} {v:.1f} 秒" for k, v in scaled.seconds.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
