# MOVA Live: `make run` serves the dashboard, `make test` runs lint and the whole suite.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
RUN_STAMP := $(VENV)/.installed-run
# the publishing client is its own distribution (clients/python); the server depends on it, so both install together
CLIENT  := -e ./clients/python

.PHONY: run demo test lint bench soak browser-deps fault-deps scale-deps prometheus-deps js-deps test-scale clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): pyproject.toml clients/python/pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q $(CLIENT) -e '.[test,bench,scale]'
	touch $(STAMP) $(RUN_STAMP)

# serving needs only the server's own dependencies: no test, bench or scale extras
$(RUN_STAMP): pyproject.toml clients/python/pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q $(CLIENT) -e .
	touch $(RUN_STAMP)

run: $(RUN_STAMP)
	$(BIN)/python app.py

demo: $(RUN_STAMP)
	$(BIN)/python app.py --demo

# axe-core, the accessibility engine tests/browser/test_a11y.py runs in the page: the npm package itself (one
# file, pinned and checked by sha256). The PyPI wrappers that bundle it carry an axe of 2018 (axe-selenium-python)
# or need a selenium newer than dash[testing] allows (selenium-axe-python) or Playwright.
AXE_VERSION := 4.14.1
AXE_SHA256  := 29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c
AXE_JS      := .cache/axe-core-$(AXE_VERSION).min.js

$(AXE_JS):
	@mkdir -p .cache/axe-pack
	cd .cache/axe-pack && npm pack --silent axe-core@$(AXE_VERSION) >/dev/null && tar -xzf axe-core-$(AXE_VERSION).tgz package/axe.min.js
	echo "$(AXE_SHA256)  .cache/axe-pack/package/axe.min.js" | sha256sum -c --quiet
	mv .cache/axe-pack/package/axe.min.js $(AXE_JS) && rm -rf .cache/axe-pack

# Debian's chromium and chromedriver, installed only when missing; axe-core
browser-deps: $(AXE_JS)
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then \
		echo "installing chromium and chromium-driver"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium chromium-driver; \
	fi

# Debian's prometheus, for promtool and a real Prometheus scraping /metrics (tests/integration/test_prometheus.py),
# installed only when missing
prometheus-deps:
	@if ! command -v promtool >/dev/null || ! command -v prometheus >/dev/null; then \
		echo "installing prometheus (promtool checks /metrics; the test runs its own Prometheus on loopback)"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq prometheus; \
	fi

# Debian's strace (tests/integration/test_readonly.py injects EROFS into the server's writes), installed only when missing
fault-deps:
	@if ! command -v strace >/dev/null; then \
		echo "installing strace"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq strace; \
	fi

# the client's node tests (tests/js) need a document for dom.js and the panels: jsdom from the npm registry, pinned by
# tests/js/package-lock.json (26.1: the last jsdom for Node.js 20). Debian's nodejs and npm, installed only when missing.
JS_STAMP := tests/js/node_modules/.installed

$(JS_STAMP): tests/js/package.json tests/js/package-lock.json
	@if ! command -v node >/dev/null || ! command -v npm >/dev/null; then \
		echo "installing nodejs and npm (the client's node tests)"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq nodejs npm; \
	fi
	cd tests/js && npm ci --silent --no-audit --no-fund
	touch $(JS_STAMP)

js-deps: $(JS_STAMP)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# the REST/stream contract files, run a second time against PostgreSQL + Redis (tests/scale/services.py):
# about 4 minutes on 2 cores. Left to `make test-scale` (all of tests/integration on that backend), to keep
# `make test` near 13 minutes: request validation that answers 400/415 before the store is touched (the
# same code either way) and test_faults.py (kill -9 at many points, network cuts: ~40 s more).
SCALE_CONTRACT := tests/integration/test_ingest.py tests/integration/test_read_api.py tests/integration/test_stream.py \
	tests/integration/test_export.py tests/integration/test_abuse.py tests/integration/test_openapi.py \
	tests/integration/test_durability.py tests/integration/test_search.py \
	tests/integration/test_export_truth.py tests/integration/test_metrics_gaps.py
SCALE_BACKEND_FREE := not test_invalid_event_is_400_with_field and not test_malformed_bodies_are_400

test: $(STAMP) browser-deps fault-deps scale-deps prometheus-deps js-deps lint
	node --test tests/js/
	$(BIN)/pytest --headless --durations=15
	MOVA_TEST_BACKEND=scale $(BIN)/pytest $(SCALE_CONTRACT) -k '$(SCALE_BACKEND_FREE)'

BENCH_STAMP := $(VENV)/.installed-bench

$(BENCH_STAMP): pyproject.toml clients/python/pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q $(CLIENT) -e '.[test,bench]'
	touch $(BENCH_STAMP)

# benchmarks need Chromium (painted, idle, memory) and Debian's netdata (the idle baseline), installed only when missing
bench: $(BENCH_STAMP) browser-deps
	@if ! command -v netdata >/dev/null && [ ! -x /usr/sbin/netdata ]; then \
		echo "installing netdata (idle-cost baseline; the benchmark runs its own copy on loopback)"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq netdata; \
	fi
	$(BIN)/python -m bench

# network cuts of 30 s and 5 min, then 30 minutes at 100 events/s with 50 clients: RSS, descriptors, lost events
soak: $(STAMP)
	$(BIN)/pytest -m soak tests/integration
	$(BIN)/python -m bench.soak --minutes 30

# Debian's redis-server and PostgreSQL for tests/scale (each test run starts its own on loopback), installed only when missing
scale-deps:
	@if ! command -v redis-server >/dev/null || ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then \
		echo "installing redis-server and postgresql (tests/scale runs its own copies on loopback ports)"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq redis-server postgresql; \
	fi

# several processes sharing PostgreSQL and Redis, then the REST/stream contract tests against that backend
test-scale: $(STAMP) scale-deps
	$(BIN)/pytest tests/scale
	MOVA_TEST_BACKEND=scale $(BIN)/pytest tests/integration

clean:
	rm -rf $(VENV) data tests/js/node_modules
