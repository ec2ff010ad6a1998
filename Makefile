# Two entry points for a fresh Linux machine: `make demo` and `make test`.
# Each creates the virtual environment it needs from pyproject.toml.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test venv clean bench

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	$(BIN)/python -m compileall -q workbook udfs macros >/dev/null  # an editable install skips this; every run would recompile
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/bonusbook demo demo-out

test: $(STAMP)
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) demo-out
