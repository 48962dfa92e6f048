# Scored: `make book` builds the student site, `make instructor` the instructor edition (never published),
# `make test` runs every test. All set up .venv themselves.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HTML := _build/html
INSTRUCTOR := _build/instructor
PORT ?= 8000
# Python caches each module's bytecode the first time a process imports it (in __pycache__, ignored by git); with
# PYTHONDONTWRITEBYTECODE set, as on some CI images, every process would compile every module it imports again,
# and a test run starts hundreds of processes. Only what is imported gets compiled: compiling the whole venv at
# install (uv's --compile-bytecode) took 22 CPU-s, before anything else could start.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: book instructor test book-then-site light-then-heavy test-without-site test-light test-heavy test-site site-layer check typecheck coverage serve exercises bench clean

# uv installs the same pinned packages as pip would, in a third of the time (it downloads and unpacks in
# parallel); pip stays in the venv for the student kit's wheel (scored_site/kit.py). Where uv cannot install
# (a package mirror set in pip.conf, which uv does not read), pip does.
UV := $(BIN)/uv pip --quiet
PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check
$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) -c constraints.txt uv
	$(UV) uninstall --python $(BIN)/python scored 2>/dev/null || true  # the distribution was renamed scored-course
	$(UV) install --python $(BIN)/python -c constraints.txt pip -e ".[dev]" \
	  || { echo "uv could not install; installing with pip instead"; $(PIP) -c constraints.txt pip -e ".[dev]"; }
	touch $(STAMP)

# Build-time JavaScript (KaTeX), pinned with its sha512 in package-lock.json; never sent to readers as is.
NODE_STAMP := node_modules/.installed
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $(NODE_STAMP)

# -W: every Sphinx warning fails the build; a failing notebook cell fails it too (see _config.yml).
# Downloads only for the units in _toc.yml; a unit dropped from it loses its download too. The last step
# refuses a site that holds instructor material.
book: $(STAMP) $(NODE_STAMP)
	$(BIN)/jupyter-book build . --warningiserror --keep-going
	$(BIN)/python -m scored_site.edition prune-downloads $(HTML)/exercises
	$(BIN)/python -m scored_site.exercises build --student-only --out $(HTML)/exercises $$($(BIN)/python -m scored_site.toc --chapter-args)
	$(BIN)/python -m scored_site.kit --exercises $(HTML)/exercises --out $(HTML)/kit
	$(BIN)/python -m scored_site.pdf --site $(HTML)
	$(BIN)/python -m scored_site.edition check-student $(HTML)
	@echo "The site is in $(CURDIR)/$(HTML)/index.html  (make serve: http://127.0.0.1:$(PORT))"

# The instructor edition: discussion notes shown, solution notebooks and rubrics beside the pages. It shares the
# executed chapters with `make book` (same cache) and is built apart (_build/.instructor), so the student site
# never contains it. For your own machine only.
instructor: $(STAMP) $(NODE_STAMP)
	SCORED_EDITION=instructor $(BIN)/jupyter-book build . --path-output _build/.instructor --warningiserror --keep-going
	rm -rf $(INSTRUCTOR)
	cp -a _build/.instructor/_build/html $(INSTRUCTOR)
	$(BIN)/python -m scored_site.exercises build --out $(INSTRUCTOR)/exercises $$($(BIN)/python -m scored_site.toc --chapter-args)
	$(BIN)/python -m scored_site.edition rubrics $(INSTRUCTOR)/exercises
	@echo "The instructor edition is in $(CURDIR)/$(INSTRUCTOR)/index.html  (never publish this folder)"

# Every test layer (see docs/ARCHITECTURE.md, "Tests"), in two chains of jobs side by side, and mypy. One chain
# builds the book (one core, mostly), then runs the site layer, which mostly waits on the browser; the other runs
# the light layers (one process), then the two heavy files, which keep both cores busy (they run notebooks two at a
# time). Neither chain waits for the other.
# pytest -n auto spreads a run over the cores (pytest-xdist); a file's tests stay on one worker, so its
# expensive fixtures are built once.
HEAVY := tests/test_exercises.py tests/test_seeds.py
test: $(STAMP)
	$(MAKE) --no-print-directory --output-sync=target -j3 book-then-site light-then-heavy typecheck

book-then-site: book
	@$(MAKE) --no-print-directory site-layer

light-then-heavy: test-light
	@$(MAKE) --no-print-directory test-heavy

test-without-site: $(STAMP)
	$(BIN)/python -m pytest -m "not site" -n auto

test-light: $(STAMP)
	$(BIN)/python -m pytest -m "not site" -n 0 $(addprefix --ignore=,$(HEAVY))

test-heavy: $(STAMP)
	$(BIN)/python -m pytest -m "not site" -n auto $(HEAVY)

# The site layer, on a site built first (site-layer: on the site as it is). One process, one browser: two take
# as long (the browser is the bottleneck) and 10 CPU-s more.
test-site: book
	$(MAKE) --no-print-directory site-layer

site-layer:
	$(BIN)/python -m pytest -m site -n 0

# The toolkit's tests alone (unit, property, doctest, conventions, layers): the quick loop while coding.
check: $(STAMP)
	$(BIN)/python -m pytest -m toolkit -n auto -q

typecheck: $(STAMP)
	$(BIN)/mypy

# Branch coverage of scored/ by the toolkit tests (serial: coverage follows one process).
coverage: $(STAMP)
	$(BIN)/python -m coverage erase
	$(BIN)/python -m coverage run -m pytest -m toolkit -q -n 0
	$(BIN)/python -m coverage combine -q
	$(BIN)/python -m coverage report --sort=cover

exercises: $(STAMP)
	$(BIN)/python -m scored_site.exercises build --out _build/exercises

serve:
	@test -f $(HTML)/index.html || { echo "No site built yet: run 'make book' first."; exit 1; }
	$(BIN)/python -m http.server --bind 127.0.0.1 --directory $(HTML) $(PORT)

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_bad_inputs.py
	$(BIN)/python benchmarks/bench_world.py
	$(BIN)/python benchmarks/bench_privacy.py
	$(BIN)/python benchmarks/bench_build.py
	$(BIN)/python benchmarks/bench_grading.py

clean:
	rm -rf _build .pytest_cache .hypothesis
