"""Benchmark: generate and score a 1,000,000-resident city; print seconds, peak memory and rows per table.

Run:  .venv/bin/python benchmarks/bench_world.py [residents]
Peak memory is the process's maximum resident set size (``ru_maxrss``), so run it in a fresh process.
"""
import resource
import sys
import time

import numpy as np
import pandas as pd


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def main(residents: int = 1_000_000, seed: int = 0) -> None:
    from scored.scoring import score
    from scored.world import make_world

    base = peak_mb()
    t0 = time.perf_counter()
    world = make_world(residents, seed=seed)
    t1 = time.perf_counter()
    after_world = peak_mb()
    scores = score(world.records, world.residents)
    t2 = time.perf_counter()
    print(f"numpy {np.__version__}, pandas {pd.__version__}")
    print(f"residents: {residents:,}  seed: {seed}")
    for name in ("residents", "districts", "behaviour", "records", "ties", "personas"):
        print(f"  {name:<10} {len(getattr(world, name)):>12,} rows")
    print(f"generate: {t1 - t0:6.2f} s   peak RSS {after_world:,.0f} MB (after imports {base:,.0f} MB)")
    print(f"score:    {t2 - t1:6.2f} s   peak RSS {peak_mb():,.0f} MB")
    shares = scores["grade"].value_counts(normalize=True).sort_index(ascending=False).round(3).to_dict()
    print(f"total:    {t2 - t0:6.2f} s   grades: {shares}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
