"""Benchmark: re-identification measures on a 1,000,000-resident city; print seconds per call.

Run:  .venv/bin/python benchmarks/bench_privacy.py [residents]
Quasi-identifiers: (postcode, birth_date, sex), the classic triple (Sweeney 2000). Each measure is timed as the best
of three runs, after one warm-up, so that the figures do not include one-off costs such as imports.
"""
import functools
import sys
import time

import numpy as np
import pandas as pd


def best_of(fn, repeat=3):
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return min(times), result


def main(residents: int = 1_000_000, seed: int = 0) -> None:
    from scored.privacy import (equivalence_classes, generalise_age, generalise_date, generalise_postcode,
                                k_anonymity, l_diversity, laplace_mechanism, link, make_k_anonymous, suppress,
                                uniqueness)
    from scored.world import make_world

    t0 = time.perf_counter()
    res = make_world(residents, seed=seed).residents
    print(f"numpy {np.__version__}, pandas {pd.__version__}")
    print(f"residents: {len(res):,}  (city generated in {time.perf_counter() - t0:.1f} s)")
    qi = ["postcode", "birth_date", "sex"]
    year = res.assign(birth_date=generalise_date(res["birth_date"], to="year"))
    release = res.drop(columns=["name"])
    register = res[["name", "resident_id", *qi]]
    hierarchy = [("birth_date", functools.partial(generalise_date, to="month")),
                 ("birth_date", functools.partial(generalise_date, to="year")),
                 ("postcode", functools.partial(generalise_postcode, keep=1))]
    cases = [
        ("uniqueness (postcode, birth_date, sex)", lambda: uniqueness(res, qi), "{:.4f}"),
        ("uniqueness (postcode, birth year, sex)", lambda: uniqueness(year, qi), "{:.4f}"),
        ("k_anonymity (postcode, birth_date, sex)", lambda: k_anonymity(res, qi), "{}"),
        ("l_diversity (postcode, birth year, sex; work)", lambda: l_diversity(year, qi, "work"), "{}"),
        ("equivalence_classes (postcode, birth_date, sex)", lambda: len(equivalence_classes(res, qi)), "{:,} classes"),
        ("suppress k=5 (postcode, birth year, sex)", lambda: suppress(year, qi, 5).suppressed, "{:,} rows dropped"),
        ("generalise_date to year", lambda: generalise_date(res["birth_date"], to="year").nunique(), "{} years"),
        ("generalise_age width 5", lambda: generalise_age(res["age"], 5).nunique(), "{} bands"),
        ("generalise_postcode keep 1", lambda: generalise_postcode(res["postcode"], 1).nunique(), "{} codes"),
        ("link release -> register (postcode, birth_date, sex)",
         lambda: link(release, register, qi, "name", true_id="resident_id").summary["reidentified"],
         "{:.4f} re-identified"),
        ("make_k_anonymous k=5, 3 steps", lambda: make_k_anonymous(res, qi, 5, hierarchy).suppressed,
         "{:,} rows suppressed"),
        ("laplace_mechanism on 1M values", lambda: laplace_mechanism(res["income"], 1.0, 0.5, rng=0).shape[0],
         "{:,} values"),
    ]
    for label, fn, fmt in cases:
        seconds, result = best_of(fn)
        print(f"  {label:<55} {seconds:7.3f} s   {fmt.format(result)}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
