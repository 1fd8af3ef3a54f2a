#!/usr/bin/env bash
# Private Postgres and Redis for Tradewind, under .run/ (git-ignored), on free loopback ports.
#   scripts/infra.sh start   start both (idempotent); writes .run/infra.env
#   scripts/infra.sh stop    stop exactly what start started (by pid file)
#   scripts/infra.sh env     print the environment (source it: eval "$(scripts/infra.sh env)")
#   scripts/infra.sh crash redis|postgres   kill it without warning (SIGKILL; Postgres: immediate stop)
#   scripts/infra.sh revive redis|postgres  start it again on the same port, with its data
# TRADEWIND_INFRA_DIR puts a second, separate pair elsewhere (the chaos tests' own, which they crash).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
run="${TRADEWIND_INFRA_DIR:-$root/.run}"
pgdata="$run/postgres"
envfile="$run/infra.env"
pgbin=/usr/lib/postgresql/15/bin

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_running() { [ -f "$pgdata/postmaster.pid" ] && as_pg "$pgbin/pg_ctl" -D "$pgdata" status >/dev/null 2>&1; }
redis_running() { [ -f "$run/redis.pid" ] && kill -0 "$(cat "$run/redis.pid")" 2>/dev/null; }


start_pg() {
  as_pg "$pgbin/pg_ctl" -D "$pgdata" -w -l "$pgdata/server.log" \
    -o "-p $1 -k $pgdata -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=on" start >/dev/null
}

start_redis() {
  redis-server --port "$1" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --pidfile "$run/redis.pid" --dir "$run" --logfile "$run/redis.log" >/dev/null
  for _ in $(seq 50); do redis_running && break; sleep 0.1; done
  echo "$1" > "$run/redis.port"
}

# Port of the running (or last) Postgres and Redis, from the environment file.
port_of() { sed -n "s/^export $1=//p" "$envfile"; }

crash() {
  case "$1" in
    redis) kill -KILL "$(cat "$run/redis.pid")" 2>/dev/null || true; rm -f "$run/redis.pid" ;;
    postgres) as_pg "$pgbin/pg_ctl" -D "$pgdata" -m immediate -w stop >/dev/null || true ;;
    *) echo "usage: scripts/infra.sh crash redis|postgres" >&2; exit 2 ;;
  esac
}

revive() {
  case "$1" in
    redis) redis_running || start_redis "$(port_of TRADEWIND_REDIS_PORT)" ;;
    postgres) pg_running || start_pg "$(port_of TRADEWIND_PG_PORT)" ;;
    *) echo "usage: scripts/infra.sh revive redis|postgres" >&2; exit 2 ;;
  esac
}

start() {
  "$root/scripts/install-deps.sh"
  mkdir -p "$run"
  if [ -f "$envfile" ] && pg_running && redis_running; then cat "$envfile"; return; fi
  pg_port=$(free_port); redis_port=$(free_port)
  if ! pg_running; then
    if [ ! -f "$pgdata/PG_VERSION" ]; then
      rm -rf "$pgdata"; mkdir -p "$pgdata"
      if [ "$(id -u)" -eq 0 ]; then chown postgres: "$pgdata" "$run"; fi
      as_pg "$pgbin/initdb" -D "$pgdata" -U tradewind --auth=trust -E UTF8 >/dev/null
    fi
    start_pg "$pg_port"
    as_pg "$pgbin/psql" -h 127.0.0.1 -p "$pg_port" -U tradewind -d postgres -qc "CREATE DATABASE tradewind" >/dev/null 2>&1 || true
  else
    pg_port=$(sed -n 4p "$pgdata/postmaster.pid")
  fi
  if ! redis_running; then
    start_redis "$redis_port"
  else
    redis_port=$(cat "$run/redis.port")
  fi
  cat > "$envfile" <<ENV
export TRADEWIND_PG_HOST=127.0.0.1
export TRADEWIND_PG_PORT=$pg_port
export TRADEWIND_PG_USER=tradewind
export TRADEWIND_PG_DATABASE=tradewind
export TRADEWIND_REDIS_HOST=127.0.0.1
export TRADEWIND_REDIS_PORT=$redis_port
ENV
  cat "$envfile"
}

stop() {
  if [ -f "$run/redis.pid" ]; then kill "$(cat "$run/redis.pid")" 2>/dev/null || true; rm -f "$run/redis.pid"; fi
  if pg_running; then as_pg "$pgbin/pg_ctl" -D "$pgdata" -m fast -w stop >/dev/null || true; fi
  rm -f "$envfile"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  env) [ -f "$envfile" ] && cat "$envfile" || { echo "infra is not running; run scripts/infra.sh start" >&2; exit 1; } ;;
  crash) crash "${2:-}" ;;
  revive) revive "${2:-}" ;;
  *) echo "usage: scripts/infra.sh start|stop|env|crash|revive" >&2; exit 2 ;;
esac
