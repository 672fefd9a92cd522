# Two commands: `make run` sets up and starts the service; `make test` sets up and runs
# every check (lint, types, tests on SQLite and PostgreSQL, browser journeys).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: run test test-fast lint setup clean

$(STAMP): requirements.lock pyproject.toml
	scripts/bootstrap.sh "$(PYTHON)"
	touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	$(VENV)/bin/interp-service serve

test: $(STAMP)
	scripts/test-all.sh full

test-fast: $(STAMP)
	scripts/test-all.sh fast

lint: $(STAMP)
	$(VENV)/bin/ruff check interp_service tests bench
	$(VENV)/bin/ruff format --check interp_service tests bench
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
