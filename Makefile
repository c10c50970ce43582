# The two commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test lint typecheck contract unit bench soak clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

demo: install
	@$(BIN)/livedesk chat

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

contract: install
	$(BIN)/lint-imports

unit: install
	$(BIN)/pytest --ignore=tests/soak

test: lint typecheck contract unit

bench: install
	$(BIN)/python -m bench

# The soak suite (docs/reliability.md): real processes, minutes long, NOT part of `test`.
soak: install
	$(BIN)/python -m tests.soak

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
