# ml-connector. Everything installs into this checkout: .tools/ (a pinned uv) and .venv/
# (the locked workspace). Nothing is installed system-wide and nothing downloads at run time.

PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
STAMP := $(VENV)/.synced-$(UV_VERSION)
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

PYTEST := $(VENV)/bin/pytest
PROMTOOL := $(TOOLS)/prometheus/usr/bin/promtool
CHROMIUM ?= /usr/bin/chromium
MEMBERS := pyproject.toml uv.lock $(wildcard */pyproject.toml services/*/pyproject.toml)

.PHONY: help install demo test faults check lint typecheck bench clean browser promtool

help:
	@echo "make demo    standalone mode against the bundled simulators (no broker or database needed)"
	@echo "make test    the test suite (needs RabbitMQ and PostgreSQL: see README)"
	@echo "make faults  long fault-injection scenarios"
	@echo "make check   ruff + mypy --strict"
	@echo "make bench   benchmarks, JSON figures on stdout"

$(UV):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "ml-connector needs Python 3.11 or newer; found " + sys.version.split()[0])'
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# The second step replays the images' CLI install (deploy/docker/install.sh cli) into a
# scratch environment while the network is there: it resolves from the package index rather
# than from uv.lock, and tests/deploy/test_image_install.py replays it offline from uv's cache.
$(STAMP): $(UV) $(MEMBERS)
	$(UV) sync --frozen --all-packages --python $(PYTHON)
	@scratch=$$(mktemp -d) && $(UV) venv -q --python $(PYTHON) $$scratch \
	  && UV=$(UV) UV_PROJECT_ENVIRONMENT=$$scratch PYTHON=$(PYTHON) sh deploy/docker/install.sh cli >/dev/null 2>&1; \
	  status=$$?; rm -rf $$scratch; [ $$status -eq 0 ] || { echo "deploy/docker/install.sh cli failed" >&2; exit 1; }
	@touch $@

install: $(STAMP)

# promtool checks deploy/prometheus/alerts.yml (tests/unit/ops). It is one static binary in
# Debian's prometheus package: unpacked here, not installed, so no server is set up.
$(PROMTOOL):
	@mkdir -p $(TOOLS)/prometheus
	cd $(TOOLS)/prometheus && { apt-get download prometheus 2>/dev/null || { apt-get update -qq && apt-get download prometheus; }; } \
	  && dpkg-deb -x prometheus_*.deb . && rm -f prometheus_*.deb usr/bin/prometheus

promtool: $(PROMTOOL)

# The operator console is tested in headless Chromium (tests/integration/ops/test_console.py),
# Debian's package driven by Playwright; installing it needs root (CI runs as root).
browser:
	@if [ ! -x $(CHROMIUM) ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; \
	  else \
	    echo "the console test needs Debian's chromium: run 'sudo apt-get install chromium'" >&2; exit 1; \
	  fi; \
	fi

demo: $(STAMP)
	$(VENV)/bin/mlc demo

test: $(STAMP) $(PROMTOOL) browser
	$(PYTEST) -q -n 2 --dist loadfile

faults: $(STAMP)
	$(PYTEST) -q -m faults tests/faults

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(STAMP)
	$(VENV)/bin/mypy shared services sandbox ml_connector

check: lint typecheck

bench: $(STAMP)
	@for b in bench/*.py; do case $$b in *_support.py) continue;; esac; \
	  echo "== $$b" >&2; $(VENV)/bin/python $$b || exit 1; done

clean:
	rm -rf $(VENV) $(TOOLS) .pytest_cache .mypy_cache .ruff_cache
