# The two set-up commands of README.md: `make up` and `make test`.
.PHONY: install up down status seed test lint unit schemas lock openapi

install:
	bash deploy/local/install.sh

up: install
	.venv/bin/motcua up --demo

down:
	.venv/bin/motcua down

status:
	.venv/bin/motcua status

seed:
	.venv/bin/motcua seed --demo

lint:
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/deptry .
	.venv/bin/mypy

# Pin every package, indirect ones too, with hashes (install.sh installs from it).
lock:
	.venv/bin/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 \
		--python-platform x86_64-manylinux_2_28 -q --custom-compile-command "make lock" \
		-o requirements.lock

# Every test, the integration ones against the real engines, which the test session
# starts through the launcher (and stops again if it started them).
test: install lint
	.venv/bin/pytest

unit: install
	.venv/bin/pytest -m "not integration"

schemas:
	.venv/bin/python -m shared.events.schemas

# The services' OpenAPI documents (tests/test_openapi_docs.py checks they are current).
openapi:
	.venv/bin/python -m motcua_ops.openapi
