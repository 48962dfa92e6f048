"""Build one chapter on its own, the way the course is built, to check it while writing.

    python -m scored_site.preview book/ch03-opacity.md [--out /tmp/preview-ch03]

The preview is a copy of the book's sources and configuration in a folder of its own, built with
warnings as errors. Its table of contents is the book's, with the chapter added if it is new; only that
chapter's code is executed (the others render without outputs), so cross-references resolve and the
build stays quick. Authors can work on several chapters at once without sharing a build folder. To run the browser checks on it:

    SCORED_BOOK_ROOT=/tmp/preview-ch03 python -m pytest tests/test_site.py
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def prepare(chapter: Path, out: Path) -> Path:
    """Copy the book into ``out``, set to execute ``chapter`` only and with ``chapter`` in its contents."""
    chapter = chapter.resolve()
    if not chapter.is_file() or chapter.parent != ROOT / "book":
        raise SystemExit(f"{chapter}: not a chapter in {ROOT / 'book'}")
    out.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(out / "book", ignore_errors=True)
    shutil.copytree(ROOT / "book", out / "book")
    if not (out / "data").is_symlink():
        (out / "data").symlink_to(ROOT / "data")

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    entry = f"book/{chapter.stem}"
    listed = [c["file"] for part in toc["parts"] for c in part["chapters"]]
    if entry not in listed:
        toc["parts"][0]["chapters"].append({"file": entry})
    (out / "_toc.yml").write_text(yaml.safe_dump(toc, sort_keys=False))

    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    others = [f"book/{p.name}" for p in (ROOT / "book").glob("ch*.md") if p.stem != chapter.stem]
    config["execute"]["exclude_patterns"] = others
    # The other chapters are not executed: MyST-NB cannot name their code's language, and their glued
    # numbers are missing. (The full build still fails on either.)
    config["sphinx"]["config"]["suppress_warnings"] += ["myst-nb.lexer", "mystnb.glue"]
    (out / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("chapter", type=Path, help="the chapter's .md file, e.g. book/ch03-opacity.md")
    parser.add_argument("--out", type=Path, help="build folder (default /tmp/preview-<chapter>)")
    args = parser.parse_args(argv)
    out = args.out or Path("/tmp") / f"preview-{args.chapter.stem}"
    prepare(args.chapter, out)
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    result = subprocess.run([str(jupyter_book), "build", str(out), "--warningiserror", "--keep-going"])
    page = out / "_build" / "html" / "book" / f"{args.chapter.stem}.html"
    print(f"\npreview: {page}" if result.returncode == 0 else "\npreview build FAILED (see above)")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
