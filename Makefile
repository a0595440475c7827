# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_URL ?= postgres://postgres@127.0.0.1:5432/qualityloop
PYTEST_ARGS ?= -n 2

.PHONY: run test test-sqlite test-postgres lint format install messages browser pdf-deps postgres clean bench

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) messages pdf-deps

# Compiled translations are built here, never committed. Settings need a key to load;
# compiling messages signs nothing.
messages: export SECRET_KEY ?= only-for-compilemessages
messages: $(STAMP)
	@command -v msgfmt >/dev/null || (apt-get update -qq && apt-get install -y -qq gettext >/dev/null)
	@cd qualityloop && ../$(BIN)/python ../manage.py compilemessages -v 0

# The browser test drives Debian's Chromium; Playwright's own browser download is not used.
browser:
	@test -x /usr/bin/chromium || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)

# PDF reports (WeasyPrint) need Pango and a Chinese font, which every PDF embeds; the report
# tests and `render_report_png` use poppler's pdftotext and pdftoppm.
PDF_PACKAGES := fonts-wqy-microhei poppler-utils libpango-1.0-0 libpangoft2-1.0-0
pdf-deps:
	@dpkg -s $(PDF_PACKAGES) >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq $(PDF_PACKAGES) >/dev/null)

postgres:
	@pg_isready -q -h 127.0.0.1 -p 5432 || pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start
	@for i in $$(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && exit 0; sleep 1; done; echo "PostgreSQL did not start"; exit 1

# The demo's accounts have public passwords: a production start is `qualityloop run`.
run: install pdf-deps
	$(BIN)/qualityloop run --demo

# ruff, and the layer order of docs/architecture.md (import-linter's contract in pyproject.toml).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test-sqlite: install browser pdf-deps
	DATABASE_URL=sqlite:///:memory: $(BIN)/pytest $(PYTEST_ARGS)

test-postgres: install browser pdf-deps postgres
	DATABASE_URL=$(PG_URL) $(BIN)/pytest $(PYTEST_ARGS)

test: lint
	$(MAKE) test-sqlite
	$(MAKE) test-postgres

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache

# Speed of the list and its search on a large register (BENCH_ROWS complaints), on both databases.
BENCH_ROWS ?= 200000
BENCH_PG ?= postgres://postgres@127.0.0.1:5432/qualityloop_bench
bench: export SECRET_KEY ?= only-for-the-benchmark
bench: install postgres
	rm -f var/bench.sqlite3 var/bench.sqlite3-wal var/bench.sqlite3-shm
	DATABASE_URL=sqlite:///$(CURDIR)/var/bench.sqlite3 $(BIN)/python manage.py migrate -v 0
	DATABASE_URL=sqlite:///$(CURDIR)/var/bench.sqlite3 $(BIN)/python bench/list_search.py --rows $(BENCH_ROWS)
	dropdb --if-exists -h 127.0.0.1 -U postgres qualityloop_bench
	createdb -h 127.0.0.1 -U postgres qualityloop_bench
	DATABASE_URL=$(BENCH_PG) $(BIN)/python manage.py migrate -v 0
	DATABASE_URL=$(BENCH_PG) $(BIN)/python bench/list_search.py --rows $(BENCH_ROWS)
	rm -f var/bench_due.sqlite3
	DATABASE_URL=sqlite:///$(CURDIR)/var/bench_due.sqlite3 $(BIN)/python manage.py migrate -v 0
	DATABASE_URL=sqlite:///$(CURDIR)/var/bench_due.sqlite3 $(BIN)/python bench/due_task.py
	dropdb --if-exists -h 127.0.0.1 -U postgres qualityloop_bench
	createdb -h 127.0.0.1 -U postgres qualityloop_bench
	DATABASE_URL=$(BENCH_PG) $(BIN)/python manage.py migrate -v 0
	DATABASE_URL=$(BENCH_PG) $(BIN)/python bench/due_task.py
