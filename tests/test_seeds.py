"""The course on other classroom cities: every chapter executes on three seeds without an error or a warning.

An instructor changes the classroom city with ``$SCORED_CITY`` (see the guide's "Adapting the course"); no
chapter may then fail, or state a direction its data no longer show (chapters assert such statements, so
they fail here). The chapters are executed directly and in parallel (``scored_site.rebuild``), not built as a
site, in kernels forked from a warm server (``scored_site.warm_kernels``): the book build runs every chapter in
ordinary kernels. The grading pipeline verifies the exercises on several cities in its own tests.
"""

from __future__ import annotations

import concurrent.futures
import os

import pytest

from scored_site import exercises, warm_kernels
from scored_site.rebuild import chapters, execute_chapter, write_city

SEEDS = (7, 2027, 31337)
CHAPTERS = chapters()


@pytest.fixture(scope="session")
def problems(tmp_path_factory):
    """What went wrong in each (chapter, seed) run; the runs share the cores (a file stays on one worker)."""
    cities = {seed: write_city(seed, tmp_path_factory.mktemp(f"city-{seed}")) for seed in SEEDS}
    runs = [(chapter, seed) for seed in SEEDS for chapter in CHAPTERS]
    warm_kernels.start()
    with pytest.MonkeyPatch.context() as patch, concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 2) as pool:
        patch.setenv("JUPYTER_PATH", exercises.kernel_env()["JUPYTER_PATH"])  # where the warm kernel's spec is
        found = pool.map(lambda run: execute_chapter(run[0], cities[run[1]]), runs)
        return dict(zip(runs, found))


def test_there_are_chapters_to_run():
    assert len(CHAPTERS) >= 12


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_executes_on_another_city(problems, chapter, seed):
    found = problems[(chapter, seed)]
    assert found == [], "\n".join(found)
