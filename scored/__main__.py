"""Command line: ``python -m scored world ...`` writes a city as CSV; ``python -m scored classroom`` rebuilds data/."""
from __future__ import annotations

import argparse
import sys

from .world import CLASSROOM_PARAMS, DATA_DIR, make_world, write_classroom


def _district_value(item: str) -> tuple[str, float]:
    district, sep, value = item.partition("=")
    try:
        if not sep:
            raise ValueError
        return district.strip(), float(value)
    except ValueError:
        raise ValueError(f"surveillance must be given as DISTRICT=X with X a number in 0..1, got {item!r}") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scored", description="Scored: the synthetic city toolkit.")
    sub = parser.add_subparsers(dest="command", required=True)
    w = sub.add_parser("world", help="generate a synthetic city and write it as CSV files")
    w.add_argument("--residents", type=int, default=10_000, help="number of residents, 100..5,000,000")
    w.add_argument("--seed", type=int, default=0, help="random seed, an integer >= 0")
    w.add_argument("--error-rate", type=float, default=None, help="share of wrong records, 0..0.5 (default 0.04)")
    w.add_argument("--minority-share", type=float, default=None, help="share of Heron residents, 0..0.5")
    w.add_argument("--surveillance", action="append", default=[], metavar="DISTRICT=X",
                   help="recording intensity 0..1 for a district, e.g. --surveillance Northgate=0.9 (repeatable)")
    w.add_argument("--out", required=True, help="output directory")
    c = sub.add_parser("classroom", help=f"regenerate the committed classroom city {CLASSROOM_PARAMS} in data/")
    c.add_argument("--out", default=str(DATA_DIR), help="output directory (default: the repository's data/)")
    args = parser.parse_args(argv)
    try:
        if args.command == "world":
            extra = {k: v for k, v in (("error_rate", args.error_rate), ("minority_share", args.minority_share))
                     if v is not None}
            if args.surveillance:
                extra["surveillance"] = dict(_district_value(item) for item in args.surveillance)
            world = make_world(args.residents, seed=args.seed, **extra)
            world.to_csv(args.out)
            print(f"wrote {world!r} to {args.out}")
        else:
            print(f"wrote the classroom city to {write_classroom(args.out)}")
    except ValueError as exc:
        print(f"{parser.prog}: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
