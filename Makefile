# The README's two commands: `make run` and `make test`. Everything else is what they need.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# System libraries a fresh Debian machine lacks: WeasyPrint (pango, harfbuzz subsetting, the
# Traditional Chinese font) for `make run`; for `make test` also Chromium (browser tests)
# and poppler (PDF text and page images).
BENCH_PACKAGES := wrk
RUN_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk
TEST_PACKAGES := $(RUN_PACKAGES) chromium poppler-utils
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test setup lint bench clean run-packages test-packages

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	touch $@

define install_missing
	@missing=""; \
	for package in $(1); do \
	  dpkg-query -W -f='$${Status}' $$package 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$package"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if command -v apt-get >/dev/null; then \
	    echo "Installing system packages:$$missing"; \
	    $(SUDO) apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else \
	    echo "warning: not a Debian machine; please install:$$missing" >&2; \
	  fi; \
	fi
endef

run-packages:
	$(call install_missing,$(RUN_PACKAGES))

test-packages:
	$(call install_missing,$(TEST_PACKAGES))

setup: $(VENV)/.installed

## make run: a local portal on SQLite with demo data, at http://127.0.0.1:8000
run: run-packages setup
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py seed_demo
	@echo ""
	@echo "入口網站：http://127.0.0.1:8000/  （Ctrl-C 結束）"
	$(PY) manage.py runserver 127.0.0.1:8000

## make test: lint, migrations check and every test (SQLite, or DATABASE_URL/REDIS_URL when set)
test: test-packages setup lint
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check --exclude '*/migrations/*' .

## make bench: the speed figures the issues ask for (needs PostgreSQL on 127.0.0.1:5432)
bench: setup
	$(call install_missing,$(BENCH_PACKAGES))
	$(PY) bench/roster_import.py
	$(PY) bench/imports.py
	$(PY) bench/page_latency.py
	$(PY) bench/documents.py
	$(PY) bench/training.py
	$(PY) bench/reporting.py
	$(PY) bench/devices.py
	$(PY) bench/login.py
	$(PY) bench/api.py
	$(PY) bench/oversight.py

clean:
	rm -rf $(VENV) var/ build/ *.egg-info
