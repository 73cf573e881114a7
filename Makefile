# yigongti — 医共体信息平台. `make demo` brings up the demo county, `make test` runs the whole suite.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
YG := $(BIN)/yigongti
HOST ?= 127.0.0.1
PORT ?= 8000
SCALE ?= 10k
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: setup demo test test-fast lint lock bench clean-db browser-deps

setup: $(YG)

$(YG): requirements.lock pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $(YG)

# Setup, migrate, build the demo county if the database is empty, start a worker and serve. YIGONGTI_DEMO=1
# lets the flagged demo accounts skip the forced first-login password change (docs/security.md).
demo: export YIGONGTI_DEMO = 1
demo: setup
	$(YG) init-local
	$(YG) migrate --noinput -v 0
	$(YG) demo --scale demo --if-empty
	$(YG) collectstatic --noinput -v 0
	@YIGONGTI_HTTPS=0 $(YG) worker & W=$$!; trap 'kill $$W 2>/dev/null' EXIT INT TERM; \
	  YIGONGTI_HTTPS=0 $(YG) serve --bind $(HOST):$(PORT) --announce

# The whole suite (unit, API, isolation, browser). DATABASE_URL selects the database.
test: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

test-fast: setup
	$(BIN)/pytest -n 2 -m "not browser" $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check src tests bench

lock:
	$(PY) -m venv /tmp/yigongti-lock && /tmp/yigongti-lock/bin/pip install -q -r requirements.in setuptools wheel
	( echo '# Pinned dependencies: `make setup` installs exactly these. Regenerate with `make lock` after editing requirements.in.'; \
	  /tmp/yigongti-lock/bin/pip freeze --all | grep -v "^pip==" ) > requirements.lock

bench: setup
	$(BIN)/python -m bench --scale $(SCALE)

# Debian's Chromium and a CJK font for the browser tests (needs root).
browser-deps:
	apt-get install -y -q chromium fonts-noto-cjk gettext
