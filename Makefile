# yingji — two commands do everything on a fresh machine:
#   make demo   set up, migrate, seed the demo district and serve on http://127.0.0.1:8000
#   make test   set up and run every test (SQLite and PostgreSQL), lint, types, layers
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_DB ?= sqlite:///var/demo.db

.PHONY: demo test check lint setup assets system-deps serve clean migration bench fuzz

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "yingji needs Python 3.11")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --upgrade pip
	@$(BIN)/python -m pip install -q -e ".[dev]"
	@touch $(STAMP)

setup: $(STAMP) assets

assets:
	@bash scripts/build-assets.sh

system-deps:
	@bash scripts/install-system-deps.sh

demo: setup
	@YINGJI_DEMO=true YINGJI_DATABASE_URL=$(DEMO_DB) $(BIN)/yingji db upgrade
	@YINGJI_DEMO=true YINGJI_DATABASE_URL=$(DEMO_DB) $(BIN)/yingji seed demo
	@echo "yingji: http://$(HOST):$(PORT)/  (API docs: http://$(HOST):$(PORT)/api/docs)"
	@YINGJI_DEMO=true YINGJI_DATABASE_URL=$(DEMO_DB) $(BIN)/yingji serve --host $(HOST) --port $(PORT)

test: setup system-deps
	@$(BIN)/python -m pytest -n 2 --dist loadfile
	@$(MAKE) --no-print-directory lint

# The API fuzz with a longer budget than the suite's (tests/fuzz; the suite runs 8 cases per
# operation): 100 cases per operation, about 20 minutes on 2 cores.
fuzz: setup
	@YINGJI_FUZZ_EXAMPLES=$${YINGJI_FUZZ_EXAMPLES:-100} $(BIN)/python -m pytest tests/fuzz -n 2 -p no:randomly

lint: $(STAMP)
	@$(BIN)/ruff check src tests bench tools
	@$(BIN)/ruff format --check src tests bench tools
	@$(BIN)/mypy
	@$(BIN)/lint-imports

bench: setup
	@$(BIN)/python bench/run_all.py

migration: $(STAMP)
	@test -n "$(MSG)" || (echo 'usage: make migration MSG="what changed"' && exit 2)
	@$(BIN)/python -m yingji.migrations.autogen "$(MSG)"

clean:
	rm -rf $(VENV) node_modules src/yingji/core/web/static/vendor var
