#!/usr/bin/env bash
# make test: set up what is missing (Chromium included), start a throwaway PostgreSQL and
# Redis on free loopback ports, run the checks and the whole suite, and stop the services
# again however the run ends. Arguments are passed to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh --browser
. scripts/services.sh

# Durability is not wanted for a throwaway test cluster, nor autovacuum: its ANALYZE commits
# like any write, and the page cache's tests count on no commit between two requests.
start_throwaway_services fsync=off synchronous_commit=off full_page_writes=off autovacuum=off

export DJANGO_SECRET_KEY="test-$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(40))')"
export DJANGO_DEBUG=0
# The live server of the browser tests would keep connections open past the test database.
export DJANGO_CONN_MAX_AGE=0
export STATIC_ROOT="$throwaway/static"
export PORTAL_FILES_DIR="$throwaway/files"
export PATH="$PWD/.venv/bin:$PATH"

echo "== ruff"
ruff check .
ruff format --check .
echo "== import contracts"
lint-imports --no-cache
echo "== migrations"
python manage.py makemigrations --check --dry-run >/dev/null || {
  echo "Model changes without a migration: run python manage.py makemigrations" >&2
  exit 1
}
python manage.py collectstatic --noinput >/dev/null
python manage.py compilemessages --ignore ".venv/*" >/dev/null

echo "== pytest"
status=0
pytest "$@" || status=$?
if [ "$status" = 5 ]; then
  echo "pytest ran no test: that is a failure." >&2
fi
exit "$status"
