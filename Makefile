# OpenRuimte: `make demo` and `make test` set everything up themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: install demo test bench lint clean

WEB := src/openruimte/web

install: $(VENV)/.installed $(WEB)/bundle/twin.js

$(VENV)/.installed: pyproject.toml src/openruimte/web/package-lock.json
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "OpenRuimte needs Python >= 3.11; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[all]'
	npm ci --prefix src/openruimte/web --no-audit --no-fund --loglevel=error
	touch $@

# the 3D view's bundle (three.js, suncalc) from npm packages, built by esbuild from npm (#16)
$(WEB)/bundle/twin.js: $(VENV)/.installed $(wildcard $(WEB)/twin/*.js)
	npm run build --prefix $(WEB)

demo: install
	$(BIN)/openruimte demo

test: install
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python bench/store_bbox.py

lint: install
	$(BIN)/python -m ruff check src tests bench

clean:
	rm -rf $(VENV) $(WEB)/bundle openruimte.db openruimte.db-wal openruimte.db-shm demo-data .pytest_cache
