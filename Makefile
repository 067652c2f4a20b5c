# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench screenshot clean interop interop-formats

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/reader $(ARGS)

# The suite runs in parallel, then the tests marked serial on their own, since they time
# things (exit status 5: none were selected). Two workers a core: a Pilot test spends about
# half its time asleep (Textual's wait for idle, at least 20 ms a key), and another
# worker's test runs meanwhile. loadgroup hands out one test at a time (an xdist_group
# whole), the tests marked slow first (tests/conftest.py), so the run ends evenly.
# Bytecode is cached for these runs even where the environment says not to write it
# (PYTHONDONTWRITEBYTECODE): else every worker and every `reader` a test starts compiles
# the test modules and the package again. mypy keeps its own cache (.mypy_cache).
TEST_WORKERS ?= $(shell $(PYTHON) -c 'import os; print(2 * (os.cpu_count() or 1))')
test: export PYTHONDONTWRITEBYTECODE :=
test: $(STAMP)
	$(BIN)/ruff check reader tests benchmarks
	$(BIN)/mypy reader
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup -m "not serial" $(PYTEST_ARGS)
	$(BIN)/pytest -m serial $(PYTEST_ARGS) || [ $$? -eq 5 ]

# Interop with the real tools (not part of `make test`): doccano 1.8.4 in its own venv,
# started on 127.0.0.1, fed reader's exports through its REST API; figures printed as JSON.
# Two pins doccano 1.8.4's own requirements leave open and it breaks without: environs 9.5
# needs marshmallow 3, and pandas 1.5 is built against numpy 1.
INTEROP_VENV := .interop-venv
INTEROP_STAMP := $(INTEROP_VENV)/.installed

$(INTEROP_STAMP):
	$(PYTHON) -m venv $(INTEROP_VENV)
	$(INTEROP_VENV)/bin/python -m pip install --quiet 'doccano==1.8.4' 'marshmallow<4' 'numpy<2'
	touch $(INTEROP_STAMP)

interop: $(STAMP) $(INTEROP_STAMP)
	$(BIN)/python tests/interop/doccano_roundtrip.py --doccano-venv $(INTEROP_VENV)

# Label Studio's SDK (pandas, opencv: too heavy for the test extra) checks reader's Label
# Studio export, in a venv of its own; the other format tests run beside it.
INTEROP_FORMATS := .venv-interop-formats
interop-formats:
	$(PYTHON) -m venv $(INTEROP_FORMATS)
	$(INTEROP_FORMATS)/bin/python -m pip install --quiet -e '.[test]' 'label-studio-sdk==2.1.2'
	$(INTEROP_FORMATS)/bin/pytest -q -p no:randomly tests/test_format_label_studio.py \
		tests/test_interop_prodigy.py tests/test_format_conll.py tests/test_format_csv.py \
		tests/test_offsets_utf16.py

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
	rm -rf $(VENV) $(INTEROP_VENV) $(INTEROP_FORMATS) build dist .pytest_cache
