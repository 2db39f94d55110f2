# Two commands do everything: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
LRS_VENV ?= .venv-lrs
PORT ?= 8000
BIN := $(VENV)/bin
PY := $(BIN)/python
# Demo runs have debug on; production sets its own environment.
DEMO_ENV := DJANGO_DEBUG=1

.DEFAULT_GOAL := help
.PHONY: help run test test-sqlite test-postgres lint format check-deploy migrations-check setup clean bench bench-scale

help:
	@echo "make run    - install, migrate, load the demo, serve on http://127.0.0.1:$(PORT)"
	@echo "make test   - install the test tools and run the whole suite"
	@echo "make lint   - ruff check and format check"
	@echo "make bench  - the performance benchmark (bench/README.md); under 10 minutes"
	@echo "make bench-scale - manager pages at 100,000 trainees on PostgreSQL; under 30 minutes"

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Reinstall only when the declared dependencies change.
$(VENV)/.installed-run: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $@ $(VENV)/.installed-run

setup: $(VENV)/.installed-run
	$(DEMO_ENV) $(PY) manage.py migrate --no-input
	$(DEMO_ENV) $(PY) manage.py credential_keys --ensure
	$(DEMO_ENV) $(PY) manage.py setup_demo

# The job worker (webhooks, reminder e-mails, learning records) runs beside the server and
# stops with it; jobs a killed worker left running are queued again first.
run: setup
	@echo "Serving on http://127.0.0.1:$(PORT)/ with a job worker (Ctrl-C to stop both)"
	$(DEMO_ENV) $(PY) manage.py recover_stale_jobs --recover-after 0
	@$(DEMO_ENV) $(PY) manage.py db_worker --no-reload --verbosity 0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(DEMO_ENV) $(PY) manage.py runserver 127.0.0.1:$(PORT)

# The suite runs on every core; the load and fault proofs (marked serial) then
# run alone, since they restart PostgreSQL and measure a real server.
TEST_WORKERS ?= auto
test: $(VENV)/.installed-test $(LRS_VENV)/.installed
	$(BIN)/pytest -n $(TEST_WORKERS) -m "not serial" $(PYTEST_ARGS)
	$(BIN)/pytest -m serial $(PYTEST_ARGS)

# The Learning Record Store of the xAPI tests (Ralph, tests/xapi/conftest.py) in its own
# environment (LRS_VENV): it pins FastAPI, pydantic and uvicorn versions of its own.
$(LRS_VENV)/.installed: tests/xapi/requirements-lrs.txt
	$(PYTHON) -m venv $(LRS_VENV)
	$(LRS_VENV)/bin/pip install --quiet -r tests/xapi/requirements-lrs.txt
	@touch $@

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrations-check: $(VENV)/.installed-run
	$(DEMO_ENV) $(PY) manage.py makemigrations --check --dry-run

check-deploy: $(VENV)/.installed-run
	DJANGO_DEBUG=0 DJANGO_SECRET_KEY=check-deploy-$$(date +%s)-not-a-real-secret-key-0123456789abcdef \
	DJANGO_ALLOWED_HOSTS=training.example.org $(PY) manage.py check --deploy --fail-level WARNING

# The benchmark: large data set, gunicorn, Locust in its own environment (bench/.venv-load).
bench: $(VENV)/.installed-run
	$(PY) bench/run.py

# Manager pages and exports at 100,000 trainees on PostgreSQL (bench/README.md); under 30 minutes.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/trainingsite
bench-scale: $(VENV)/.installed-run
	DATABASE_URL=$${DATABASE_URL:-$(BENCH_DATABASE_URL)} $(PY) bench/scale.py

clean:
	rm -rf $(VENV) $(LRS_VENV) staticfiles
