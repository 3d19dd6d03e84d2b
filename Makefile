# The two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PO := $(wildcard tracker/translations/*/LC_MESSAGES/messages.po)
MO := $(PO:.po=.mo)
HOST ?= 127.0.0.1
PORT ?= 5000
WORKERS ?= 2
# make bench: SCALE=district|city, DB=sqlite|postgresql (a throw-away cluster), or
# DATABASE_URL=an empty database; BENCH_ARGS for more (python -m bench --help).
SCALE ?= district
DB ?= sqlite
BENCH_ARGS ?=

.PHONY: install run test test-sqlite test-postgresql lint bench translations screenshots clean

install: $(STAMP) $(MO)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

%.mo: %.po $(STAMP)
	$(BIN)/pybabel compile --statistics -i $< -o $@

run: install
	$(BIN)/tracker init-db
	$(BIN)/tracker demo
	@$(BIN)/tracker demo-logins
	@echo "Serving on http://$(HOST):$(PORT)/"
	TRACKER_BIND=$(HOST):$(PORT) TRACKER_WORKERS=$(WORKERS) TRACKER_ACCESS_LOG=- \
		$(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

# The whole suite, on SQLite and on PostgreSQL side by side (a core each); each
# report is printed whole when its suite ends. One after the other:
# `make test-sqlite test-postgresql`.
test: install
	$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgresql

test-sqlite: install
	TRACKER_TEST_BACKEND=sqlite $(BIN)/pytest $(PYTEST_ARGS)

test-postgresql: install
	TRACKER_TEST_BACKEND=postgresql $(BIN)/pytest $(PYTEST_ARGS)

# the README's pictures, from a throw-away demo instance in Chromium
screenshots: install
	$(BIN)/python docs/screenshots.py

lint: install
	$(BIN)/ruff check .

# Generate SCALE into a fresh database, serve it with gunicorn, measure; see bench/README.md.
bench: install
	$(BIN)/python -m bench --scale $(SCALE) --db $(DB) \
		$(if $(DATABASE_URL),--database-url '$(DATABASE_URL)') $(BENCH_ARGS)

# Re-extract the UI strings and merge them into both catalogs.
translations: install
	$(BIN)/pybabel extract --no-location --sort-output -F babel.cfg -k _l -o tracker/translations/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching -i tracker/translations/messages.pot -d tracker/translations

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache $(MO)
