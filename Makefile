# medcredit: two commands do everything. See README.md.
.PHONY: run test setup lint bench schema

setup:
	@bash scripts/bootstrap.sh

run: setup
	@bash scripts/ensure-redis.sh
	.venv/bin/medcredit run

test: setup
	@bash scripts/ensure-redis.sh
	.venv/bin/python -m pytest -q -ra

lint: setup
	.venv/bin/ruff check api schema workers services infra store verification scoring common notifications tests bench
	.venv/bin/mypy api schema workers services infra store verification scoring common notifications bench

bench: setup
	@bash scripts/ensure-redis.sh
	.venv/bin/python -m bench

# Regenerate docs/schema.graphql (the SDL codegen tools read) from the code.
schema: setup
	.venv/bin/medcredit schema --output docs/schema.graphql
