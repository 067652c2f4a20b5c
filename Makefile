# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench screenshot clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/reader $(ARGS)

# The suite runs in parallel (one worker per core), then the tests marked serial on their
# own, since they time things or load the machine (exit status 5: none were selected).
test: $(STAMP)
	$(BIN)/ruff check reader tests benchmarks
	$(BIN)/mypy reader
	$(BIN)/pytest -n auto -m "not serial" $(PYTEST_ARGS)
	$(BIN)/pytest -m serial $(PYTEST_ARGS) || [ $$? -eq 5 ]

lint: $(STAMP)
	$(BIN)/ruff check reader tests benchmarks

bench: $(STAMP)
	$(BIN)/python benchmarks/startup.py
	$(BIN)/python benchmarks/large_article.py
	$(BIN)/python benchmarks/analysis_throughput.py
	$(BIN)/python benchmarks/store_bench.py
	$(BIN)/python benchmarks/agree_bench.py
	$(BIN)/python benchmarks/review_bench.py

screenshot: $(STAMP)
	$(BIN)/python docs/make_screenshot.py

clean:
	rm -rf $(VENV) build dist .pytest_cache
