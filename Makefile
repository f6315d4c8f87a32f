# Two set-up commands on a fresh machine: `make demo` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
PORT ?= 8000

.PHONY: demo test install install-dev lint typecheck pytest serve clean

$(VENV)/bin/python:
	@echo "==> [1/3] creating the Python environment in $(VENV)"
	python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip

# The stamp files re-run the install when pyproject.toml changes.
$(VENV)/.installed: $(VENV)/bin/python pyproject.toml
	@echo "==> [2/3] installing tocsin and its Python packages (a few minutes the first time)"
	$(PIP) install --progress-bar on -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml
	$(PIP) install -q -e '.[dev]'
	touch $@

# Front-end packages (htmx) come from the npm registry; the pages serve them from node_modules.
# No package needs an install script: the only one (@scarf/scarf, under Swagger UI) reports
# the install to a third party, which a hospital's hub must not do.
node_modules/.installed: package.json package-lock.json
	@echo "==> [3/3] installing the front-end packages (htmx, Swagger UI) with npm"
	SCARF_ANALYTICS=false npm ci --no-audit --no-fund --ignore-scripts
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

demo: install node_modules/.installed
	@echo "==> migrating, seeding the demo network and serving on port $(PORT)"
	$(VENV)/bin/tocsin demo --port $(PORT)

serve: install
	$(VENV)/bin/tocsin serve --port $(PORT)

lint: install-dev
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench

typecheck: install-dev
	$(VENV)/bin/mypy

pytest: install-dev node_modules/.installed
	$(VENV)/bin/pytest $(PYTEST_ARGS)

test: lint typecheck pytest

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
