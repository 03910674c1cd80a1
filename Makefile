# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test venv system-deps lint format bench clean

demo: $(STAMP)  ## set up, then run the simulated demo site and the daemon (Ctrl-C stops both)
	@scripts/system-deps.sh socat || echo "demo: going on without socat: the simulated RS485 line uses Modbus TCP"
	$(BIN)/connext demo --config config.toml

test: $(STAMP) system-deps  ## set up, then run the whole test suite
	$(BIN)/pytest

venv: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

system-deps:  ## socat, mbpoll, promtool, chromium: what the tests need from Debian (installed when root)
	@scripts/system-deps.sh

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix . && $(BIN)/ruff format .

bench: $(STAMP) system-deps  ## run every benchmark and print its figures
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
