"""The committed classroom city in data/ is reproducible byte for byte, checksummed, small and documented."""
import hashlib
import re
import shutil
import subprocess

import pandas as pd
import pytest

from scored.__main__ import main as cli
from scored.world import CLASSROOM_PARAMS, DATA_DIR, load_classroom, make_world, write_classroom

GENERATED = sorted(["residents.csv", "districts.csv", "behaviour.csv", "records.csv", "ties.csv", "personas.csv",
                    "world.json", "SHA256SUMS"])


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    return write_classroom(tmp_path_factory.mktemp("classroom"))


def test_data_folder_holds_exactly_the_generated_files_and_the_datasheet(regenerated):
    assert sorted(p.name for p in regenerated.iterdir()) == GENERATED
    assert sorted(p.name for p in DATA_DIR.iterdir()) == sorted(GENERATED + ["README.md"])


@pytest.mark.parametrize("name", GENERATED)
def test_regenerating_reproduces_data_byte_for_byte(regenerated, name):
    assert (regenerated / name).read_bytes() == (DATA_DIR / name).read_bytes(), (
        f"data/{name} differs from a fresh `python -m scored classroom`")


def test_cli_classroom_writes_the_same_bytes(tmp_path, regenerated):
    assert cli(["classroom", "--out", str(tmp_path)]) == 0
    for name in GENERATED:
        assert (tmp_path / name).read_bytes() == (regenerated / name).read_bytes(), name


def test_checksums_cover_every_file_and_match():
    lines = (DATA_DIR / "SHA256SUMS").read_text().splitlines()
    listed = {}
    for line in lines:
        m = re.fullmatch(r"([0-9a-f]{64})  (\S+)", line)
        assert m, line
        listed[m.group(2)] = m.group(1)
    assert sorted(listed) == sorted(set(GENERATED) - {"SHA256SUMS"})
    for name, digest in listed.items():
        assert hashlib.sha256((DATA_DIR / name).read_bytes()).hexdigest() == digest, name


@pytest.mark.skipif(shutil.which("sha256sum") is None, reason="sha256sum not installed")
def test_sha256sum_check_passes():
    out = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=DATA_DIR, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_total_size_is_at_most_10_mb():
    total = sum(p.stat().st_size for p in DATA_DIR.iterdir())
    assert total <= 10 * 1024 * 1024, f"data/ holds {total / 2**20:.1f} MB"


def test_load_classroom_is_the_classroom_city():
    loaded, fresh = load_classroom(), make_world(**CLASSROOM_PARAMS)
    for t in ("residents", "districts", "behaviour", "records", "ties", "personas"):
        pd.testing.assert_frame_equal(getattr(loaded, t), getattr(fresh, t))
    assert loaded.seed == CLASSROOM_PARAMS["seed"] and loaded.params == fresh.params


def test_load_classroom_reports_missing_data(monkeypatch, tmp_path):
    import scored.world as W

    monkeypatch.setattr(W, "DATA_DIR", tmp_path)
    with pytest.raises(FileNotFoundError, match="python -m scored classroom"):
        W.load_classroom()


def test_datasheet_documents_every_column_and_the_generation():
    text = (DATA_DIR / "README.md").read_text()
    for heading in ("Motivation", "Composition", "Collection process", "Preprocessing", "Uses", "Distribution",
                    "Maintenance", "Limitations"):
        assert re.search(rf"^#+ .*{heading}", text, re.M | re.I), heading
    assert "python -m scored classroom" in text
    assert f"seed {CLASSROOM_PARAMS['seed']}" in text or f"seed={CLASSROOM_PARAMS['seed']}" in text
    assert f"{CLASSROOM_PARAMS['residents']:,}" in text
    assert "synthetic" in text and "fictional" in text
    for name in GENERATED:
        if name.endswith(".csv"):
            assert f"`{name}`" in text, name
            for column in pd.read_csv(DATA_DIR / name, nrows=0).columns:
                assert f"`{column}`" in text, f"{name}: column {column} is not documented"
