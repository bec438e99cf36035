# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test e2e install system translations migrate seed bench bench-api bench-optimizer bench-report lint clean-db

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# reinstall only when a requirements file changes
$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

# fonts for Chinese PDFs and Chromium for browser tests, from Debian (quiet when present)
system:
	@bash scripts/install-system-deps.sh

# compiled catalogs are build output; the .po files are the source
translations: install system
	$(BIN)/pybabel compile -d translations 2>&1 | grep -v "^compiling" || true

migrate: translations
	$(FLASK) db upgrade

seed: migrate
	$(FLASK) seed --if-empty

run: seed
	@echo "Demo logins (demo only: production refuses to start while these are set):"
	@$(FLASK) demo-logins
	$(FLASK) serve --host $(HOST) --port $(PORT)

# lint first (ruff check + ruff format --check), so CI (.ci/run calls make test) enforces it;
# the browser journeys (tests/e2e) are part of it, all in one xdist group on one worker
test: translations lint
	$(BIN)/python -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

# only the browser journeys; screenshots under test-artifacts/e2e/<time>/ (the run prints where)
e2e: translations
	$(BIN)/python -m pytest -m browser $(PYTEST_ARGS)

bench: translations
	$(BIN)/python bench/readiness_bench.py
	$(BIN)/python bench/optimizer_bench.py
	$(BIN)/python bench/report_bench.py
	$(BIN)/python bench/api_bench.py
	$(BIN)/python bench/api_bench.py --backends postgresql --clients 8,32 --rate 300

# movements through gunicorn on SQLite and PostgreSQL (BENCH_PG_URL, default the local `test`)
bench-api: translations
	$(BIN)/python bench/api_bench.py
	$(BIN)/python bench/api_bench.py --backends postgresql --clients 8,32 --rate 300

bench-report: translations
	$(BIN)/python bench/report_bench.py

bench-optimizer: install
	$(BIN)/python bench/optimizer_bench.py

# ruff check and ruff format --check; `ruff format .` fixes the formatting
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean-db:
	rm -f instance/reserves.sqlite3 instance/reserves.sqlite3-wal instance/reserves.sqlite3-shm
