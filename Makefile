# Townhall: two commands on a fresh Debian machine.
#   make run   install everything and serve the demo council on http://$(HOST):$(PORT)
#   make test  install what the tests need and run every test
# Everything is idempotent: a second run skips what is already in place.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV ?= .venv
HOST ?= 127.0.0.1
PORT ?= 5000
WORKERS ?= 2
BIN := $(VENV)/bin
STAMPS := .stamps

# Debian packages: speech needs espeak-ng (through pyttsx3) and ffmpeg (to encode audio);
# browser tests need Debian's Chromium (Playwright must never download its own browser);
# database tests start a throwaway PostgreSQL server from Debian's package.
APT_RUN := espeak-ng ffmpeg
APT_TEST := chromium fonts-dejavu-core postgresql
APT_BENCH := postgresql postgresql-15-postgis-3 wbritish

export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

# Install Debian packages that are missing (apt-get update only when something is).
define apt_install
	missing=""; for package in $(1); do \
	  dpkg-query -W -f='$${Status}' "$$package" 2>/dev/null | grep -q "ok installed" || missing="$$missing $$package"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq; \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi
endef

.PHONY: help run dev test install install-test system system-test python python-test node assets translations \
        geodata search-index check-content bench clean extract-messages update-translations secret-key database

help:
	@echo "make run    install everything and serve the demo on http://$(HOST):$(PORT)"
	@echo "make test   install test needs and run every test"
	@echo "make dev    serve with reloading, refusing to start on broken content"
	@echo "make check-content   check the content folder for mistakes"
	@echo "make bench  run the benchmarks and write BENCHMARKS.md"

run: install search-index secret-key database
	@echo "Serving the demo council on http://$(HOST):$(PORT) (press Ctrl+C to stop)"
	$(BIN)/gunicorn --bind $(HOST):$(PORT) --workers $(WORKERS) --timeout 60 --access-logfile - wsgi:app

dev: install secret-key database
	TOWNHALL_ENV=development $(BIN)/flask --app wsgi run --debug --host $(HOST) --port $(PORT)

test: install-test
	$(BIN)/pytest

install: system python node assets translations
install-test: install system-test python-test

system:
	@$(call apt_install,$(APT_RUN))
	@command -v node >/dev/null && command -v npm >/dev/null || { $(call apt_install,nodejs npm); }
	@$(PYTHON) -m venv --help >/dev/null 2>&1 || { $(call apt_install,python3-venv); }

system-test:
	@$(call apt_install,$(APT_TEST))

$(STAMPS):
	mkdir -p $(STAMPS)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip setuptools wheel

python: $(STAMPS)/python
$(STAMPS)/python: pyproject.toml $(BIN)/python | $(STAMPS)
	$(BIN)/pip install -q -e .
	touch $@

python-test: $(STAMPS)/python-test
$(STAMPS)/python-test: pyproject.toml $(STAMPS)/python | $(STAMPS)
	$(BIN)/pip install -q -e '.[test]'
	touch $@

node: $(STAMPS)/node
$(STAMPS)/node: package.json package-lock.json | $(STAMPS)
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

assets: node
	mkdir -p site/townhall/static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js site/townhall/static/vendor/htmx.min.js

translations: python
	$(BIN)/pybabel compile -f -d translations

# For developers: gather every UI string, then update each language's catalogue.
extract-messages: python
	$(BIN)/pybabel extract -F babel.cfg -k lazy_gettext -k N_ -o translations/messages.pot site/townhall
update-translations: extract-messages
	$(BIN)/pybabel update -N --ignore-obsolete -i translations/messages.pot -d translations

# The key that signs session cookies and CSRF tokens: <instance>/secret_key (0600), made once, never in the
# repository. Skipped when TOWNHALL_SECRET_KEY is set.
secret-key: python
	$(BIN)/python -m townhall.secret_key

# Create the database (SQLite in instance/ unless TOWNHALL_DATABASE_URL says otherwise) and bring it to the
# newest migration. The site also migrates at start-up; doing it here says so before the server starts.
database: install secret-key
	$(BIN)/flask --app wsgi db upgrade

# The site also builds the index at start-up when it is missing or stale; doing it here keeps start-up quick.
search-index: install
	$(BIN)/flask --app wsgi search build --if-stale

check-content: install
	$(BIN)/flask --app wsgi content check

bench: install-test
	@$(call apt_install,$(APT_BENCH))
	$(BIN)/pip install -q -e '.[bench]'
	$(BIN)/python benches/run_all.py

clean:
	rm -rf $(VENV) $(STAMPS) node_modules site/townhall/static/vendor instance
