# Digital YRD: the commands a newcomer needs. `make run` and `make test` install everything first.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
UV := $(shell command -v uv 2>/dev/null || echo .venv-uv/bin/uv)
RUN := $(UV) run --frozen --no-sync
export DYRD_DATABASE_URL ?= sqlite:///var/dyrd.db

.PHONY: install run test lint typecheck importlint pytest coverage bench clean

$(UV):
	$(PYTHON) -m venv .venv-uv && .venv-uv/bin/pip install --quiet uv==$(UV_VERSION)

install: $(UV)
	$(UV) sync --frozen

run: install
	$(RUN) dyrd db upgrade
	$(RUN) dyrd region load
	$(RUN) dyrd member load
	$(RUN) dyrd key init
	@# Each jurisdiction's document-signer certificate (health codes carry its kid); issued only
	@# when the member has no active one, so reruns keep the codes already out there verifying.
	@for m in 310000 320000 330000 340000; do \
	  $(RUN) dyrd trust cert issue --member CN-YRD/GOV/$$m --if-missing || exit 1; \
	done
	$(RUN) dyrd catalog load-samples
	$(RUN) dyrd healthcode rules load-samples
	$(RUN) dyrd healthcode policy load-samples
	$(RUN) dyrd serve

lint: install
	$(RUN) ruff check src tests migrations $(wildcard bench)
	$(RUN) ruff format --check src tests migrations $(wildcard bench)

typecheck: install
	$(RUN) mypy

importlint: install
	$(RUN) lint-imports

# One pytest worker per core (pytest-xdist); a test module stays on one worker, so its module
# fixtures (servers, federations) are built once. PYTEST_WORKERS=0 runs in-process.
# Coverage is its own target: measuring it costs about a third more time (15 min 46 s against
# 11 min 35 s on 2 cores), and `make test` must stay near 15 minutes.
PYTEST_WORKERS ?= auto
pytest: install
	$(RUN) pytest -n $(PYTEST_WORKERS) --dist loadfile --durations=25 $(PYTEST_ARGS)

coverage: install
	$(RUN) pytest -n $(PYTEST_WORKERS) --dist loadfile --cov --cov-report=term $(PYTEST_ARGS)

test: lint typecheck importlint pytest

bench: install
	$(RUN) python bench/api.py
	$(RUN) python bench/exchange.py
	$(RUN) python bench/sm2.py
	$(RUN) python bench/economy.py
	$(RUN) python bench/economy_page.py
	$(RUN) python bench/credential.py
	$(RUN) python bench/healthcode_checkpoint.py
	@# epydemix (GPL-3) is the epidemic baseline: installed for this run only (group bench-gpl);
	@# the next `make install` removes it again.
	$(UV) run --frozen --group bench-gpl python bench/epidemic.py --json
	$(RUN) python bench/supply.py

clean:
	rm -rf .venv .venv-uv var .pytest_cache .mypy_cache .ruff_cache .coverage
