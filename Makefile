# The README's two commands: `make demo` and `make test`. Each builds .venv when it is missing.
PYTHON ?= python3
BIN := .venv/bin
NOW := 2026-11-27

.PHONY: demo check test libreoffice browser bench fuzz schemas clean

.venv/.installed: pyproject.toml
	$(PYTHON) -m venv .venv
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# A commit of this repository that retested a failing control: the README's diff example.
DEMO_DIFF := e0c5512 65682c6

demo: .venv/.installed  ## riskctl on the shipped register
	$(BIN)/riskctl lint register --now $(NOW)
	$(BIN)/riskctl score register --now $(NOW) --above-appetite
	$(BIN)/riskctl score register --now $(NOW) --explain R-013
	$(BIN)/riskctl kri status register --now $(NOW)
	$(BIN)/riskctl incidents register --now $(NOW)
	$(BIN)/riskctl premortem register --now $(NOW)
	$(BIN)/riskctl due register --now $(NOW) --within 14
	$(BIN)/riskctl framework list register
	$(BIN)/riskctl coverage nist-csf-2.0 register --now $(NOW)
	$(BIN)/riskctl quant register --now $(NOW)
	$(BIN)/riskctl diff $(DEMO_DIFF) register --now $(NOW)
	$(BIN)/riskctl log C-066 register
	$(BIN)/riskctl rules list
	$(BIN)/riskctl gates list
	$(BIN)/riskctl schema export --check
	$(BIN)/riskctl fmt --check register
	$(BIN)/riskctl codeowners register --print
	$(BIN)/riskctl kri ingest tests/data/ingest/weekly.csv register --dry-run
	$(BIN)/riskctl rcm import tests/data/rcm/edited-rcm.csv register --dry-run --now $(NOW)
	mkdir -p build
	$(BIN)/riskctl rcm export register --format xlsx --out build/rcm.xlsx --now $(NOW)
	rm -rf build/new-register
	$(BIN)/riskctl init build/new-register
	$(BIN)/riskctl new owner payments-risk build/new-register --set name="Ana Lindqvist" --now $(NOW)
	$(BIN)/riskctl new risk build/new-register --set category=payments-fraud --now $(NOW)
	$(BIN)/riskctl lint build/new-register --now $(NOW)
	$(BIN)/riskctl report wbr register --now $(NOW) --out build/wbr.md
	$(BIN)/riskctl report wbr register --now $(NOW) --out build/wbr.html
	$(BIN)/riskctl report site register --now $(NOW) --out build/site
	$(BIN)/riskctl report soa nist-csf-2.0 register --now $(NOW) --out build/soa.md

# The suite writes bytecode even where PYTHONDONTWRITEBYTECODE is set (containers often set it):
# without the cache every test process compiles riskctl and rewrites the tests' asserts again,
# 3 of its 6 s of collection (__pycache__/ is ignored). worksteal evens out the last minute.
check: .venv/.installed  ## before every commit: lint, format, type check, tests
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	PYTHONDONTWRITEBYTECODE= $(BIN)/pytest -q -n auto --dist worksteal

test: libreoffice browser check  ## the README's test command; .ci/run calls it

# tests/test_libreoffice.py resaves workbooks with LibreOffice. Where soffice is missing and we
# are root with apt-get (a CI container), install Calc (under 2 minutes); never fail on it: the
# tests then skip, saying why.
LO_LOG := /tmp/riskctl-libreoffice-install.log
libreoffice:
	@if command -v soffice >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing libreoffice-calc-nogui for the LibreOffice round-trip tests ($(LO_LOG))"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  { timeout 300 apt-get install -y --no-install-recommends libreoffice-calc-nogui \
	    || { timeout 120 apt-get update && timeout 300 apt-get install -y \
	         --no-install-recommends libreoffice-calc-nogui; }; } >$(LO_LOG) 2>&1 \
	    || echo "could not install LibreOffice (see $(LO_LOG)); its tests will skip"; \
	else echo "LibreOffice (soffice) is missing; its tests will skip"; fi

# tests/test_browser.py opens every HTML report in headless Chromium (playwright drives the
# system's browser; it never downloads one). Where no Chromium is found and we are root with
# apt-get (a CI container), install Debian's chromium (about a minute here); never fail on it:
# the tests then skip, saying why. RISKCTL_CHROMIUM names a browser elsewhere.
CHROMIUM_LOG := /tmp/riskctl-chromium-install.log
browser:
	@if [ -n "$$RISKCTL_CHROMIUM" ] || command -v chromium >/dev/null 2>&1 \
	  || command -v chromium-browser >/dev/null 2>&1 || command -v google-chrome >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing chromium for the browser tests ($(CHROMIUM_LOG))"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  { timeout 300 apt-get install -y --no-install-recommends chromium \
	    || { timeout 120 apt-get update && timeout 300 apt-get install -y \
	         --no-install-recommends chromium; }; } >$(CHROMIUM_LOG) 2>&1 \
	    || echo "could not install Chromium (see $(CHROMIUM_LOG)); the browser tests will skip"; \
	else echo "Chromium is missing; the browser tests will skip"; fi

bench: .venv/.installed bench/.data/venv-pyfair  ## ratios against floors measured in the same run
	$(BIN)/python bench/run.py

# pyfair, for the benchmark's comparison only, in a venv of its own (never riskctl's dependency).
# Never fails: without it the benchmark skips pyfair's row and says so.
bench/.data/venv-pyfair:
	@rm -rf $@.partial; $(PYTHON) -m venv $@.partial \
	  && $@.partial/bin/python -m pip install --quiet pyfair==0.1a13 >/tmp/riskctl-pyfair-install.log 2>&1 \
	  && mv $@.partial $@ \
	  || echo "could not install pyfair (see /tmp/riskctl-pyfair-install.log); its benchmark row is skipped"

fuzz: .venv/.installed  ## the property tests with thousands of examples (minutes)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/pytest -q -n auto tests/test_fuzz.py tests/test_diff_reads.py \
	  tests/test_rcm_property.py tests/test_rcm_xlsx.py tests/test_red_writers.py tests/test_fmt.py \
	  tests/test_kri_ingest.py tests/test_new.py tests/test_due.py tests/test_asof_property.py \
	  tests/test_codeowners.py tests/test_framework_import.py

schemas: .venv/.installed  ## regenerate schemas/ from the models
	$(BIN)/riskctl schema export --out schemas

clean:
	rm -rf .venv build dist *.egg-info
