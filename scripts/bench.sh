#!/usr/bin/env bash
# make bench: the portal under gunicorn (2 sync workers, DEBUG off, persistent database
# connections) on a throwaway PostgreSQL and Redis, loaded with the demo data and driven
# by wrk from another process with 8 connections. Prints a table per page.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh --bench
. scripts/services.sh

start_throwaway_services

export DJANGO_SECRET_KEY="bench-$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(40))')"
export DJANGO_DEBUG=0
export DJANGO_LOG_LEVEL=WARNING
export STATIC_ROOT="$throwaway/static"
export PORTAL_FILES_DIR="$throwaway/files"
# Documents sent to clients while the pages are prepared go nowhere.
export EMAIL_URL="memorymail://"
export PATH="$PWD/.venv/bin:$PATH"

python manage.py migrate --noinput >/dev/null
python manage.py seed_demo >/dev/null
python -m bench.seed
python manage.py collectstatic --noinput >/dev/null
python manage.py compilemessages --ignore ".venv/*" >/dev/null
python -m bench.run "$@"
