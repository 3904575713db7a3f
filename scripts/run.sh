#!/usr/bin/env bash
# make run: set up what is missing, start PostgreSQL and Redis (unless DATABASE_URL and
# REDIS_URL point at servers of their own), migrate, load the demo data, then run the web
# server, a Celery worker and Celery beat until Ctrl-C, which stops everything started here.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
. scripts/services.sh

# Kept between runs (so the demo persists), outside the project so that the postgres user
# can reach it wherever the checkout lives.
state=${AEPORTAL_STATE_DIR:-/var/tmp/aeportal-$(pwd | sha256sum | cut -c1-12)}
mkdir -p "$state"
chmod 755 "$state"

started_pg="" started_redis=""
cleanup() {
  [ -z "$started_redis" ] || redis_stop "$state/redis" "$started_redis"
  [ -z "$started_pg" ] || pg_stop "$state/pg"
  [ -z "$started_pg$started_redis" ] || echo "Stopped the local PostgreSQL and Redis."
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -z "${DATABASE_URL:-}" ]; then
  if pg_running "$state/pg"; then
    echo "The portal already runs from this checkout (its PostgreSQL in $state/pg is up)." >&2
    echo "Stop that one with Ctrl-C first." >&2
    exit 1
  fi
  port=$(free_port)
  pg_start "$state/pg" "$port" aeportal
  started_pg=$port
  export DATABASE_URL="postgres://aeportal@127.0.0.1:$port/aeportal"
fi
if [ -z "${REDIS_URL:-}" ]; then
  port=$(free_port)
  redis_start "$state/redis" "$port" --appendonly yes
  started_redis=$port
  export REDIS_URL="redis://127.0.0.1:$port/0"
fi

if [ ! -s "$state/secret_key" ]; then
  (umask 077 && .venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))' >"$state/secret_key")
fi
export DJANGO_SECRET_KEY=${DJANGO_SECRET_KEY:-$(cat "$state/secret_key")}
export DJANGO_DEBUG=${DJANGO_DEBUG:-1}
export EMAIL_URL=${EMAIL_URL:-filemail://$state/mail}
export CELERY_BEAT_SCHEDULE_FILE=${CELERY_BEAT_SCHEDULE_FILE:-$state/celerybeat-schedule}
export PORTAL_FILES_DIR=${PORTAL_FILES_DIR:-$state/files}
export PORT=${PORT:-8000}

.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py compilemessages --ignore ".venv/*" >/dev/null
.venv/bin/python manage.py seed_demo

cat <<MSG

  AE Portal: http://127.0.0.1:$PORT/
  Emails the portal sends are written to $state/mail/
  Ctrl-C stops the web server, the worker, beat and the services started here.

MSG
export PATH="$PWD/.venv/bin:$PATH"
honcho start -f Procfile -p "$PORT"
