# The two commands: `make run` (set up and serve the demo) and `make test` (every check).
# Everything is installed from the project's own files: pyproject.toml, package-lock.json.

PYTHON_VERSION := $(shell cat .python-version)
PYTHON ?= $(shell pyenv which python 2>/dev/null || command -v python$(PYTHON_VERSION) || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
IOC := $(BIN)/ioc
PYTEST_ARGS ?=

.PHONY: run setup deps test lint typecheck messages clean-db screenshots

run: setup
	$(IOC) demo
	$(IOC) serve --with-worker

setup: deps
	$(IOC) core_compile_translations
	$(IOC) migrate --noinput -v 0
	$(IOC) collectstatic --noinput -v 0
	$(IOC) geo_load
	$(IOC) core_load_holidays

deps: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "Python 3.12 or newer is needed (.python-version says $(PYTHON_VERSION)); found " + sys.version)'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

test: setup lint typecheck
	$(IOC) makemigrations --check --dry-run
	$(BIN)/pytest $(PYTEST_ARGS)

lint: deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: deps
	$(BIN)/mypy

# Refresh the translation catalogues after changing user-facing text (needs GNU gettext):
# one catalogue per app (src/ioc/<app>/locale/) and one for the shared templates and
# wiring (src/ioc/locale/), so that apps can be worked on side by side.
APPS := $(patsubst src/ioc/%/apps.py,%,$(wildcard src/ioc/*/apps.py))
messages: deps
	@for app in $(APPS); do \
	  mkdir -p src/ioc/$$app/locale; \
	  (cd src/ioc/$$app && ../../../$(IOC) makemessages -l vi --no-obsolete --ignore 'tests/*' -v 0) || exit 1; \
	done
	cd src/ioc && ../../$(IOC) makemessages -l vi --no-obsolete -v 0 \
	  $(foreach app,$(APPS),--ignore '$(app)/*') --ignore 'tests/*'

clean-db:
	rm -f var/ioc.sqlite3 var/ioc.sqlite3-wal var/ioc.sqlite3-shm var/demo-accounts.txt
