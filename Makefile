# The two commands of the README: `make run` and `make test`. Both install first and are
# idempotent: a second run reuses the virtualenv and the Meilisearch binary already there.
VENV      ?= .venv
PYTHON    ?= python3
BIN       := $(VENV)/bin
PYTEST_ARGS ?=

LOCK_TOOLS ?= /tmp/board-lock-tools
UV_VERSION ?= 0.13.9

.PHONY: install meili test-assets run test lint bench clean audit lock

install: $(VENV)/.installed meili test-assets

# Exactly the locked set, every file checked against its sha256 (requirements-dev.lock: the
# app, the test tools and the build backend), then the project itself without resolving
# anything (--no-deps) and built with the locked setuptools (--no-build-isolation).
$(VENV)/.installed: pyproject.toml requirements-dev.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements-dev.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $@

# Regenerate both lock files after changing a dependency in pyproject.toml (uv runs from its
# own throwaway virtualenv, never from the project's). requirements.lock (the Docker image:
# no test tools) is constrained by requirements-dev.lock so both pin the same versions.
# Add --upgrade (make lock LOCK_ARGS=--upgrade) to move every pin to its newest release.
LOCK_ARGS ?=
UV_COMPILE = $(LOCK_TOOLS)/bin/uv pip compile --quiet --universal --python-version 3.11 --generate-hashes
lock:
	@test -x $(LOCK_TOOLS)/bin/uv || ($(PYTHON) -m venv $(LOCK_TOOLS) && \
		$(LOCK_TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION))
	$(UV_COMPILE) $(LOCK_ARGS) --extra test pyproject.toml requirements-build.in -o requirements-dev.lock
	$(UV_COMPILE) pyproject.toml requirements-build.in -c requirements-dev.lock -o requirements.lock

meili:
	@bash scripts/install-meili.sh $(VENV)

# axe-core and vnu-jar (pinned, from npm) for the tests; installed here, never at test time.
test-assets:
	@bash scripts/install-test-assets.sh $(VENV)

run: install
	$(BIN)/board migrate
	$(BIN)/board seed --demo --if-empty
	exec $(BIN)/board serve

lint: install
	$(BIN)/ruff check board search jobs tests bench

test: install lint
	$(BIN)/pytest $(PYTEST_ARGS)

# Known vulnerabilities in what the virtualenv installed (pip-audit, then PyPI's project
# endpoint where a mirror does not serve per-release data); a network failure fails loudly.
audit: install
	$(BIN)/python scripts/audit.py $(VENV)

# Every bench/bench_*.py, then one table of ratios; BENCH_ARGS=--quick for the short version.
BENCH_ARGS ?=
bench: install
	$(BIN)/python -m bench.run_all $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var tests/artifacts .pytest_cache
