# The two commands: `make up` runs the system, `make test` runs the whole suite.
UV_VERSION := 0.13.9
UV := $(shell command -v uv 2>/dev/null)
ifeq ($(UV),)
UV := $(shell python3 -m pip install -q "uv==$(UV_VERSION)" >/dev/null 2>&1; command -v uv || echo "python3 -m uv")
endif

PYTEST_ARGS ?=

.PHONY: install test unit integration up bench chaos schemas lock clean

install:  ## create .venv from the lock file (no network beyond the package registry)
	$(UV) sync --all-packages --frozen

test: install  ## the whole suite: unit, integration (real broker + PostgreSQL), e2e
	$(UV) run pytest $(PYTEST_ARGS)

unit: install
	$(UV) run pytest -m "not integration and not e2e" $(PYTEST_ARGS)

integration: install
	$(UV) run pytest -m "integration or e2e" $(PYTEST_ARGS)

up: install  ## the local stack: embedded broker and database, every service
	$(UV) run applylens up

bench: install
	$(UV) run python -m bench

chaos: install  ## the fault suite (tests/chaos, docs/RELIABILITY.md): kills, restarts, poison, duplicates, API fuzzing; ~2.5 min
	$(UV) run pytest -m chaos $(PYTEST_ARGS)

schemas: install  ## regenerate the checked-in event JSON Schemas
	$(UV) run python -m applylens_contracts.schemas

lock:
	$(UV) lock

clean:
	rm -rf .venv .pytest_cache
