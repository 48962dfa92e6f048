# Scored: `make book` builds the site, `make test` runs every test. Both set up .venv themselves.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HTML := _build/html
PORT ?= 8000

.PHONY: book test serve exercises bench clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check pip==26.3
	$(BIN)/python -m pip uninstall --quiet --yes scored 2>/dev/null || true  # the distribution was renamed scored-course
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[dev]"
	touch $(STAMP)

# Build-time JavaScript (KaTeX), pinned with its sha512 in package-lock.json; never sent to readers as is.
NODE_STAMP := node_modules/.installed
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $(NODE_STAMP)

# -W: every Sphinx warning fails the build; a failing notebook cell fails it too (see _config.yml).
book: $(STAMP) $(NODE_STAMP)
	$(BIN)/jupyter-book build . --warningiserror --keep-going
	$(BIN)/python -m scored_site.exercises build --student-only --out $(HTML)/exercises
	$(BIN)/python -m scored_site.kit --exercises $(HTML)/exercises --out $(HTML)/kit
	$(BIN)/python -m scored_site.pdf --site $(HTML)
	@echo "The site is in $(CURDIR)/$(HTML)/index.html  (make serve: http://127.0.0.1:$(PORT))"

test: book
	$(BIN)/python -m pytest

exercises: $(STAMP)
	$(BIN)/python -m scored_site.exercises build --out _build/exercises

serve:
	@test -f $(HTML)/index.html || { echo "No site built yet: run 'make book' first."; exit 1; }
	$(BIN)/python -m http.server --bind 127.0.0.1 --directory $(HTML) $(PORT)

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_world.py
	$(BIN)/python benchmarks/bench_privacy.py
	$(BIN)/python benchmarks/bench_build.py

clean:
	rm -rf _build .pytest_cache .hypothesis
