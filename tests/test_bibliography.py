"""The book's bibliography: every key a page cites exists, once, and every entry can be found again.

Rules, checked on ``book/references.bib`` and every ``book/bib/*.bib`` (the build reads them all):

- a key cited anywhere in ``book/*.md`` (``{cite:p}`a,b```, ``{cite:t}``, ...) is defined in one of the files;
- no key is defined twice (the build fails on a duplicate, but only after minutes of execution);
- every entry has a year (``n.d.`` is allowed for undated web pages, as the conventions in references.bib say);
- every entry a reader would look up online (``article``, ``inproceedings``, ``techreport``, ``misc``) has a
  ``url`` or a ``doi``. Printed books are exempt: their ISBN or publisher finds them. So are the few entries
  listed in ``NO_LINK_YET`` below, each with the reason; shrink that list, never grow it without a reason.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pybtex.database import parse_file

BOOK = Path(__file__).resolve().parent.parent / "book"
BIB_FILES = [BOOK / "references.bib", *sorted((BOOK / "bib").glob("*.bib"))]
LINKED_TYPES = {"article", "inproceedings", "techreport", "misc"}

# Entries that may lack a url/doi, with the reason. Official Chinese documents are cited by their document
# number, which finds them in any official database; the others had no stable address recorded when this
# test was written (December 2026) and should get one when their chapter is next checked.
NO_LINK_YET = {
    "gb321002015": "national standard GB 32100-2015, sold by the standards body; cited by its number",
    "spc2013provisions": "official document Fa Shi [2013] No. 17, cited by its number",
    "spc2015highconsumption": "official SPC provisions (2015 amendment), cited by title and date",
    "spc2017provisions": "official document Fa Shi [2017] No. 7, cited by its number",
    "statecouncil2016jointpunishment": "official document Guofa [2016] No. 33, cited by its number",
    "statecouncil2020reform": "official document Guobanfa [2020] No. 49, cited by its number",
    "ndrc2017memoranda": "official NDRC document No. 454 [2017], cited by its number",
    "ndrc2024actionplan": "official document NDRC Finance [2024] No. 451, cited by its number",
    "brussee2022eaf": "East Asia Forum op-ed; its address was not recorded in the course's source notes",
    "chinanews2022huantai": "news report known only through a republication; original address not recorded",
    "vonblomberg2018ruleoflaw": "Mapping China Journal No. 2 (2018); publisher's address not confirmed",
    "nfccfico": "undated NFCC consumer FAQ; address not recorded in the course's source notes",
}

CITE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]+)`")


def _entries():
    """(file, key, entry) for every entry in every bibliography file."""
    for path in BIB_FILES:
        for key, entry in parse_file(str(path)).entries.items():
            yield path, key, entry


def _defined_keys() -> dict[str, list[str]]:
    keys: dict[str, list[str]] = {}
    for path, key, _ in _entries():
        keys.setdefault(key.lower(), []).append(path.name)
    return keys


def cited_keys() -> dict[str, set[str]]:
    """Every key cited in the book's pages, with the pages that cite it."""
    cited: dict[str, set[str]] = {}
    for page in sorted(BOOK.glob("*.md")):
        for match in CITE.finditer(page.read_text(encoding="utf-8")):
            for key in match.group(1).split(","):
                cited.setdefault(key.strip(), set()).add(page.name)
    return cited


def _label(entry) -> str:
    """The author-year label the book prints, approximately: "Ensign et al. 2018", "Lum and Isaac 2016"."""
    people = entry.persons.get("author", [])
    names = [" ".join(person.last_names) or " ".join(person.first_names) for person in people]
    who = names[0] + " et al." if len(names) > 2 else " and ".join(names)
    return f"{who} {entry.fields.get('year', '')}".lower()


def test_every_cited_key_is_defined():
    defined = _defined_keys()
    missing = {key: sorted(pages) for key, pages in cited_keys().items() if key.lower() not in defined}
    assert not missing, f"cited but in no bibliography file (key: pages): {missing}"


def test_no_key_is_defined_twice():
    twice = {key: files for key, files in _defined_keys().items() if len(files) > 1}
    assert not twice, f"defined more than once (key: files); keep one and cite it everywhere: {twice}"


def test_no_two_entries_print_the_same_label():
    """Two works by one author in one year need year = {2021a} and {2021b}: the build fails otherwise."""
    labels: dict[str, list[str]] = {}
    for _, key, entry in _entries():
        labels.setdefault(_label(entry), []).append(key)
    clashes = {label: keys for label, keys in labels.items() if len(keys) > 1}
    assert not clashes, f"same author-year label (give them years like 2021a, 2021b): {clashes}"


@pytest.mark.parametrize("path", BIB_FILES, ids=lambda p: p.name)
def test_every_entry_has_a_year(path):
    undated = [key for key, entry in parse_file(str(path)).entries.items()
               if not entry.fields.get("year", "").strip()]
    assert not undated, f"{path.name}: entries without a year (use year = {{n.d.}} if undated): {undated}"


@pytest.mark.parametrize("path", BIB_FILES, ids=lambda p: p.name)
def test_every_entry_that_lives_online_has_a_url_or_doi(path):
    unlinked = [key for key, entry in parse_file(str(path)).entries.items()
                if entry.type.lower() in LINKED_TYPES and key not in NO_LINK_YET
                and not (entry.fields.get("url", "").strip() or entry.fields.get("doi", "").strip())]
    assert not unlinked, (f"{path.name}: entries without url or doi: {unlinked}. Add the address where the "
                          "source can be read, or, if it truly has none, add the key to NO_LINK_YET with why.")


def test_exceptions_are_still_needed():
    """An exception whose entry now has a link, or no longer exists, is removed from the list."""
    entries = {key: entry for _, key, entry in _entries()}
    stale = [key for key in NO_LINK_YET
             if key not in entries or entries[key].fields.get("url") or entries[key].fields.get("doi")]
    assert not stale, f"remove from NO_LINK_YET: {stale}"


def test_the_citation_pattern_finds_citations():
    """Guard against a pattern that silently matches nothing."""
    sample = "as {cite:p}`a2020x,b2021y` and {cite:t}`c2019z` showed"
    keys = [k for m in CITE.finditer(sample) for k in m.group(1).split(",")]
    assert keys == ["a2020x", "b2021y", "c2019z"]
    assert len(cited_keys()) > 50
