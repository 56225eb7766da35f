# fanpin — set-up, demo, tests and benchmark. Every target installs what it needs first.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test lint typecheck pytest bench eval office clean

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

demo: install
	$(BIN)/fanpin compare \
	  --dpf sample_data/dpf_taiyuan.xlsx --dpf sample_data/dpf_datong.xls \
	  --dpf sample_data/dpf_others.csv \
	  --dibao sample_data/dibao.xlsx --subsidy sample_data/subsidy.csv \
	  --monitor sample_data/monitor.xlsx \
	  --quarter 2024Q3 --out out/demo
	@echo "结果已写入 out/demo/"

lint: install
	$(BIN)/ruff check src tests tools bench
	$(BIN)/ruff format --check src tests tools bench

typecheck: install
	$(BIN)/mypy

pytest: install
	$(BIN)/pytest

test: lint typecheck office pytest

office:
	@bash tools/ensure_office.sh || echo "LibreOffice 未能安装：相关测试将被跳过（见测试输出的原因）"

bench: install
	$(BIN)/python bench/run_bench.py

eval: install
	$(BIN)/python -m fanpin.cli.app eval

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache
