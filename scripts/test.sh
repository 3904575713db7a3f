#!/usr/bin/env bash
# make test: set up what is missing (Chromium included), start a throwaway PostgreSQL and
# Redis on free loopback ports, run the checks and the whole suite, and stop the services
# again however the run ends. Arguments are passed to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh --browser
. scripts/services.sh

tmp=$(mktemp -d /tmp/aeportal-test.XXXXXX)
chmod 755 "$tmp"
pg_port="" redis_port=""
cleanup() {
  [ -z "$redis_port" ] || redis_stop "$tmp/redis" "$redis_port"
  [ -z "$pg_port" ] || pg_stop "$tmp/pg"
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

pg_port=$(free_port)
# Durability is not wanted for a throwaway test cluster.
pg_start "$tmp/pg" "$pg_port" aeportal fsync=off synchronous_commit=off full_page_writes=off
redis_port=$(free_port)
redis_start "$tmp/redis" "$redis_port" --save "" --appendonly no

export DATABASE_URL="postgres://aeportal@127.0.0.1:$pg_port/aeportal"
export REDIS_URL="redis://127.0.0.1:$redis_port/0"
export DJANGO_SECRET_KEY="test-$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(40))')"
export DJANGO_DEBUG=0
export STATIC_ROOT="$tmp/static"
export PATH="$PWD/.venv/bin:$PATH"

echo "== ruff"
ruff check .
ruff format --check .
echo "== migrations"
python manage.py makemigrations --check --dry-run >/dev/null || {
  echo "Model changes without a migration: run python manage.py makemigrations" >&2
  exit 1
}
python manage.py collectstatic --noinput >/dev/null

echo "== pytest"
status=0
pytest "$@" || status=$?
if [ "$status" = 5 ]; then
  echo "pytest ran no test: that is a failure." >&2
fi
exit "$status"
