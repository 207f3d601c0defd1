# OpenRuimte: `make demo` and `make test` set everything up themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: install demo test bench lint clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml src/openruimte/web/package-lock.json
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "OpenRuimte needs Python >= 3.11; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[all]'
	npm ci --prefix src/openruimte/web --no-audit --no-fund --loglevel=error
	touch $@

demo: install
	$(BIN)/openruimte demo

test: install
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python bench/store_bbox.py

lint: install
	$(BIN)/python -m ruff check src tests bench

clean:
	rm -rf $(VENV) openruimte.db openruimte.db-wal openruimte.db-shm demo-data .pytest_cache
