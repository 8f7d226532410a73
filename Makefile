# Two commands: `make run` (demo app on http://127.0.0.1:5000) and `make test` (whole suite).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test test-sqlite test-postgres test-e2e install translations system-deps clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

translations: install
	PYBABEL=$(BIN)/pybabel scripts/i18n.sh compile

run: install translations
	$(FLASK) db upgrade
	$(FLASK) demo
	$(FLASK) run --host $(HOST) --port $(PORT)

system-deps:
	scripts/system-deps.sh

test: install translations system-deps test-sqlite test-postgres test-e2e

test-sqlite:
	$(BIN)/python -m pytest -n 2 -m "not e2e"

test-postgres:
	scripts/with-postgres.sh $(BIN)/python -m pytest -n 2 -m "not e2e" -p no:cacheprovider

test-e2e:
	$(BIN)/python -m pytest -m e2e tests/e2e

clean:
	rm -rf $(VENV) .pytest_cache test-artifacts
