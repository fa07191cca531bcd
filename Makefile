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
PREVIEW_PORT ?= 5001
# The preview's own instance folder: its own search index and caches, never the live site's.
PREVIEW_INSTANCE ?= $(CURDIR)/instance-preview
DEV_INSTANCE ?= $(CURDIR)/instance-dev
WORKERS ?= 2
# Tests run in parallel on every core (pytest-xdist); TEST_WORKERS=0 runs them in one process.
TEST_WORKERS ?= auto
BIN := $(VENV)/bin
STAMPS := .stamps

# Debian packages: speech needs espeak-ng (through pyttsx3) and ffmpeg (to encode audio);
# browser tests need Debian's Chromium (Playwright must never download its own browser);
# database tests start a throwaway PostgreSQL server from Debian's package; the several-machines test
# starts Redis and nginx from Debian's packages too (tests/serving/test_two_instances.py).
APT_RUN := espeak-ng ffmpeg
APT_TEST := chromium fonts-dejavu-core postgresql redis-server nginx
APT_BENCH := postgresql postgresql-15-postgis-3 wbritish wrk

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

.PHONY: help run dev preview install-hook review-due test test-fast lint install install-test system system-test python python-test node assets translations \
        geodata search-index check-content bench clean extract-messages update-translations secret-key database

help:
	@echo "make run    install everything and serve the demo on http://$(HOST):$(PORT)"
	@echo "make test   install test needs and run every test"
	@echo "make test-fast   unit and web tests only, for the edit loop"
	@echo "make lint   ruff and the import contracts"
	@echo "make preview  show your working copy on http://$(HOST):$(PREVIEW_PORT), with each page's problems"
	@echo "make dev    serve for developers (Python reloading, own instance folder)"
	@echo "make check-content   check the content folder for mistakes"
	@echo "make install-hook    check the content before every git commit"
	@echo "make review-due      list the pages due for review, by owner"
	@echo "make bench  run the benchmarks and write BENCHMARKS.md"

run: install search-index secret-key database
	@echo "Serving the demo council on http://$(HOST):$(PORT) (press Ctrl+C to stop)"
	$(BIN)/gunicorn -c gunicorn.conf.py --bind $(HOST):$(PORT) --workers $(WORKERS) wsgi:app

# Never the live site's instance folder, so never its search index. Content problems are shown on the pages.
dev: install secret-key database
	TOWNHALL_INSTANCE=$(DEV_INSTANCE) $(BIN)/flask --app wsgi performance demo --if-empty
	TOWNHALL_ENV=development TOWNHALL_INSTANCE=$(DEV_INSTANCE) $(BIN)/flask --app wsgi run --debug --host $(HOST) --port $(PORT)

# For the content team: the working copy on another port, with its own instance folder, reloading when any
# content file changes and listing each page's problems and checks on the page.
preview: install
	@echo "Preview of your working copy: open http://$(HOST):$(PREVIEW_PORT) (press Ctrl+C to stop)"
	@TOWNHALL_ENV=preview TOWNHALL_INSTANCE=$(PREVIEW_INSTANCE) TOWNHALL_CONTENT_POLL_MS=500 \
	  $(BIN)/flask --app wsgi run --host $(HOST) --port $(PREVIEW_PORT) --no-reload

# Pages due for review, by owner.
review-due: install
	TOWNHALL_ENV=check $(BIN)/flask --app wsgi content review-due

install-hook: install
	TOWNHALL_ENV=check $(BIN)/flask --app wsgi content install-hook

# The house rules and the content check first (broken content never lands), then every test in parallel, then
# the tests that time a real server under load (tests/serving) on their own, so other tests do not slow them.
test: install-test lint check-content
	$(BIN)/pytest -n $(TEST_WORKERS) --ignore=tests/serving --durations=15
	$(BIN)/pytest -n 0 tests/serving

# The edit loop: unit and web tests only (no browser, nothing marked slow), in under a minute.
test-fast: install-test
	$(BIN)/pytest -n $(TEST_WORKERS) -m "not browser and not slow" tests/unit tests/web

# The house rules: ruff, and the import contracts (the domain never imports the web layer...).
lint: install-test
	$(BIN)/ruff check site tests benches
	$(BIN)/lint-imports

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
# An empty database also gets the demo's 18 months of "How we're doing" figures (never over real ones).
database: install secret-key
	$(BIN)/flask --app wsgi db upgrade
	$(BIN)/flask --app wsgi performance demo --if-empty

# The site also builds the index at start-up when it is missing or stale; doing it here keeps start-up quick.
search-index: install
	$(BIN)/flask --app wsgi search build --if-stale

check-content: install
	TOWNHALL_ENV=check $(BIN)/flask --app wsgi content check

bench: install-test
	@$(call apt_install,$(APT_BENCH))
	$(BIN)/pip install -q -e '.[bench]'
	$(BIN)/python benches/run_all.py

clean:
	rm -rf $(VENV) $(STAMPS) node_modules site/townhall/static/vendor instance instance-preview instance-dev
