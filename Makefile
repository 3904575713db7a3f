.PHONY: run test bench lint format messages

# Run the portal: web server, Celery worker and beat, with local PostgreSQL and Redis.
run:
	scripts/run.sh

# The whole suite (lint, migrations check, unit, integration, browser) on throwaway services.
test:
	scripts/test.sh $(ARGS)

# Load the portal under gunicorn and print a latency table per page.
bench:
	scripts/bench.sh $(ARGS)

lint:
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

format:
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .

# After changing user-facing strings: update the Chinese catalogue, then translate what is new.
messages:
	.venv/bin/python manage.py makemessages -l zh_Hans --no-location --no-obsolete \
		--ignore ".venv/*" --ignore "tests/*" --ignore "bench/*" --ignore "staticfiles/*" \
		--ignore "artifacts/*"
