# The two set-up commands of README.md: `make up` and `make test`.
.PHONY: install up down status seed test lint unit schemas

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

# Every test, the integration ones against the real engines, which the test session
# starts through the launcher (and stops again if it started them).
test: install lint
	.venv/bin/pytest

unit: install
	.venv/bin/pytest -m "not integration"

schemas:
	.venv/bin/python -m shared.events.schemas
