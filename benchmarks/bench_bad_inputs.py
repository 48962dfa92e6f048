"""Feed every public toolkit function every bad value of tests/bad_inputs.py; print how many got a clear error.

Prints one line per outcome kind and every input that got something else than a clear error or a result.
Run with ``make bench`` or ``python benchmarks/bench_bad_inputs.py``.
"""
from __future__ import annotations

import collections
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import bad_inputs  # noqa: E402


def main() -> int:
    start = time.perf_counter()
    tally: collections.Counter[str] = collections.Counter()
    problems = []
    for case in bad_inputs.CASES:
        for arg in case.good():
            for value in bad_inputs.bad_values(case, arg):
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    result = bad_inputs.outcome(case, arg, value)
                kind = result.split(":")[0]
                tally[kind] += 1
                if kind not in ("ok", "clear"):
                    problems.append(f"{case.name}({arg}={bad_inputs.SCALARS and value!r:.60}): {result[:200]}")
    tried = sum(tally.values())
    print(f"bad inputs tried: {tried:,} over {len(bad_inputs.CASES)} public functions "
          f"({time.perf_counter() - start:.1f} s)")
    print(f"  clear error (a ScoredInputError/ScoredTypeError naming the argument): {tally['clear']:,}")
    print(f"  accepted and returned a result: {tally['ok']:,}")
    print(f"  anything else (raw crash or unnamed message): {tried - tally['clear'] - tally['ok']:,}")
    for line in problems:
        print("   ", line)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
