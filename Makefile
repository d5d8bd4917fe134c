# The two commands of the README: `make run` and `make test`. Both install first and are
# idempotent: a second run reuses the virtualenv and the Meilisearch binary already there.
VENV      ?= .venv
PYTHON    ?= python3
BIN       := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: install meili test-assets run test lint bench clean audit

install: $(VENV)/.installed meili test-assets

$(VENV)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e ".[test]"
	@touch $@

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

bench: install
	$(BIN)/python -m bench.run_all

clean:
	rm -rf $(VENV) var tests/artifacts .pytest_cache
