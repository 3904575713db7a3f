# Local PostgreSQL and Redis servers for the portal, started from Debian's packages.
# Sourced by scripts/run.sh, scripts/test.sh and scripts/bench.sh.

# The server tools refuse to run as root, so as root they run as the postgres user.
as_postgres() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

pg_bindir() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Make DIR a directory the postgres user owns and can reach.
# DIR must not sit under a directory postgres cannot enter (such as /root).
pg_owned_dir() {
  mkdir -p "$1"
  if [ "$(id -u)" = 0 ]; then
    chown postgres:postgres "$1"
  fi
  chmod 700 "$1"
}

# pg_start DIR PORT DBNAME [postgres -c options...]
# Initialises DIR/data on first use (data kept between starts), listens on 127.0.0.1:PORT
# with its socket in DIR, and makes sure the role "aeportal" (superuser, so it may create
# test databases) and DBNAME exist.
pg_start() {
  local dir=$1 port=$2 db=$3
  shift 3
  local bin
  bin=$(pg_bindir)
  pg_owned_dir "$dir"
  if [ ! -s "$dir/data/PG_VERSION" ]; then
    as_postgres "$bin/initdb" -D "$dir/data" -U aeportal --auth=trust \
      --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || {
      cat "$dir/initdb.log" >&2
      return 1
    }
  fi
  local opts="-p $port -k $dir -c listen_addresses=127.0.0.1"
  local extra
  for extra in "$@"; do
    opts="$opts -c $extra"
  done
  as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -o "$opts" -w -t 60 start >/dev/null || {
    tail -n 20 "$dir/postgres.log" >&2
    return 1
  }
  if ! as_postgres "$bin/psql" -h "$dir" -p "$port" -U aeportal -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
    as_postgres "$bin/createdb" -h "$dir" -p "$port" -U aeportal "$db"
  fi
}

pg_running() {
  [ -f "$1/data/postmaster.pid" ] && as_postgres "$(pg_bindir)/pg_ctl" -D "$1/data" status >/dev/null 2>&1
}

pg_stop() {
  local dir=$1
  [ -f "$dir/data/postmaster.pid" ] || return 0
  as_postgres "$(pg_bindir)/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
}

# redis_start DIR PORT [redis-server options...]
# redis-server --daemonize returns before the server answers, so wait for PING.
redis_start() {
  local dir=$1 port=$2
  shift 2
  mkdir -p "$dir"
  redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --daemonize yes \
    --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" "$@" || return 1
  local i
  for i in $(seq 1 100); do
    if [ "$(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" = PONG ]; then
      return 0
    fi
    sleep 0.1
  done
  echo "Redis did not answer on port $port; see $dir/redis.log" >&2
  return 1
}

redis_stop() {
  local dir=$1 port=$2
  redis-cli -h 127.0.0.1 -p "$port" shutdown >/dev/null 2>&1 || true
  if [ -f "$dir/redis.pid" ]; then
    kill "$(cat "$dir/redis.pid")" 2>/dev/null || true
  fi
}

# start_throwaway_services [postgres -c options...]
# A PostgreSQL and a Redis on free loopback ports in a fresh temporary folder, stopped and
# removed again however the calling script ends. Exports DATABASE_URL and REDIS_URL.
start_throwaway_services() {
  throwaway=$(mktemp -d /tmp/aeportal.XXXXXX)
  chmod 755 "$throwaway"
  throwaway_pg_port="" throwaway_redis_port=""
  trap stop_throwaway_services EXIT
  trap 'exit 130' INT TERM
  throwaway_pg_port=$(free_port)
  pg_start "$throwaway/pg" "$throwaway_pg_port" aeportal "$@"
  throwaway_redis_port=$(free_port)
  redis_start "$throwaway/redis" "$throwaway_redis_port" --save "" --appendonly no
  export DATABASE_URL="postgres://aeportal@127.0.0.1:$throwaway_pg_port/aeportal"
  export REDIS_URL="redis://127.0.0.1:$throwaway_redis_port/0"
}

stop_throwaway_services() {
  [ -z "${throwaway_redis_port:-}" ] || redis_stop "$throwaway/redis" "$throwaway_redis_port"
  [ -z "${throwaway_pg_port:-}" ] || pg_stop "$throwaway/pg"
  [ -z "${throwaway:-}" ] || rm -rf "$throwaway"
}
