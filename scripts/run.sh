#!/usr/bin/env bash
# Runs Tradewind locally: installs what is missing, starts a private Postgres and Redis
# (scripts/infra.sh), builds, and starts the services on loopback. Ctrl-C stops everything.
#   scripts/run.sh              every service
#   scripts/run.sh echo         one named service alone
#   scripts/run.sh --release    build in release mode first
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
mode=debug
only=""
for arg in "$@"; do
  case "$arg" in
    --release) mode=release ;;
    -h|--help) sed -n 2,7p "$0"; exit 0 ;;
    *) only="$arg" ;;
  esac
done

# The services and their ports (RPC, admin). market-data runs the simulated feed; indicators reads
# its history over RPC; execution fills paper orders at market-data's prices; risk checks orders
# against execution's accounts and forwards what passes; the orchestrator runs strategies as bots on
# market-data's candles through risk, and backtest jobs; the gateway serves the REST/WebSocket API on http://127.0.0.1:8080.
# `echo` is the example service built on the same host.
declare -A rpc_port=([echo]=7001 [market-data]=7002 [indicators]=7003 [execution]=7004 [risk]=7005 [orchestrator]=7006 [gateway]=7007)
declare -A admin_port=([echo]=9001 [market-data]=9002 [indicators]=9003 [execution]=9004 [risk]=9005 [orchestrator]=9006 [gateway]=9007)
declare -A peers=(
  [indicators]="--peers.market_data=127.0.0.1:7002"
  [execution]="--peers.market_data=127.0.0.1:7002"
  [risk]="--peers.market_data=127.0.0.1:7002 --peers.execution=127.0.0.1:7004"
  [orchestrator]="--peers.market_data=127.0.0.1:7002 --peers.risk=127.0.0.1:7005 --peers.execution=127.0.0.1:7004"
  [gateway]="--peers.market_data=127.0.0.1:7002 --peers.orchestrator=127.0.0.1:7006 --peers.risk=127.0.0.1:7005 --peers.execution=127.0.0.1:7004 --http.port=8080 --http.cors_origins=http://localhost:5173"
)
services=(echo market-data indicators execution risk orchestrator gateway)
if [ -n "$only" ]; then
  [ -n "${rpc_port[$only]:-}" ] || { echo "unknown service \"$only\"; known: ${services[*]}" >&2; exit 2; }
  services=("$only")
fi

scripts/install-deps.sh
scripts/infra.sh start >/dev/null
eval "$(scripts/infra.sh env)"
swift build -c "$mode"
bin=$(swift build -c "$mode" --show-bin-path)

# Service identities: each service (and `operator`, the tradewind tools) has its own RPC secret,
# fresh per machine and kept in .run/rpc-secrets; every service is told the secrets of the callers
# ARCHITECTURE's call graph lets in (its allow-lists are the built-in defaults). Secrets travel in
# the environment, never on a command line. The development profile is selected explicitly (it lets
# a service without a secret of its own start on a public built-in one; here every identity has a
# fresh one, which replaces the built-in one, so none is in use).
mkdir -p .run/rpc-secrets
secret_of() { [ -s ".run/rpc-secrets/$1" ] || head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > ".run/rpc-secrets/$1"; cat ".run/rpc-secrets/$1"; }
callers=""
for name in market-data indicators execution risk orchestrator gateway operator; do callers="$callers${callers:+,}$name=$(secret_of "$name")"; done
export TRADEWIND_RPC_CALLERS="$callers"
# The gateway's token key: a fresh one per machine, kept in .run so tokens survive a restart.
[ -s .run/jwt-secret ] || head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > .run/jwt-secret
export TRADEWIND_AUTH_JWT_SECRET="${TRADEWIND_AUTH_JWT_SECRET:-$(cat .run/jwt-secret)}"
mkdir -p .run/logs
pids=()
stop() {
  trap - INT TERM EXIT
  echo; echo "stopping..."
  for pid in "${pids[@]:-}"; do [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]:-}"; do [ -n "$pid" ] && wait "$pid" 2>/dev/null || true; done
  scripts/infra.sh stop
  echo "stopped."
}
trap stop INT TERM EXIT

for s in "${services[@]}"; do
  TRADEWIND_RPC_SECRET="$(secret_of "$s")" "$bin/tradewind-$s" --profile=development \
    --rpc.port="${rpc_port[$s]}" --admin.port="${admin_port[$s]}" \
    --postgres.port="$TRADEWIND_PG_PORT" --postgres.password="$s-local" \
    --postgres.admin_user="$TRADEWIND_PG_USER" --redis.port="$TRADEWIND_REDIS_PORT" ${peers[$s]:-} \
    2> >(tee -a ".run/logs/$s.log" >&2) &
  pids+=($!)
done

sleep 2
echo
echo "Tradewind is running (Postgres :$TRADEWIND_PG_PORT, Redis :$TRADEWIND_REDIS_PORT; logs in .run/logs):"
for s in "${services[@]}"; do
  echo "  $s  rpc 127.0.0.1:${rpc_port[$s]}  admin http://127.0.0.1:${admin_port[$s]}/readyz"
done
echo
echo "Gateway: http://127.0.0.1:8080  (OpenAPI: http://127.0.0.1:8080/api/v1/openapi.json, WebSocket: ws://127.0.0.1:8080/ws?token=<access token>)"
echo "Log in: the first user to register is admin:"
echo "      curl -s -X POST http://127.0.0.1:8080/api/v1/auth/register -H 'Content-Type: application/json' -d '{\"email\":\"me@example.com\",\"password\":\"change me now\"}'"
echo "      curl -s http://127.0.0.1:8080/api/v1/assets -H \"Authorization: Bearer <access_token>\""
echo
echo "Try:  export TRADEWIND_RPC_SECRET=\$(cat .run/rpc-secrets/operator)   # the operator's identity"
echo "      $bin/tradewind call 127.0.0.1:7002 MarketData.GetQuote --json '{\"symbol\":\"BTC/USDT\"}'"
echo "      $bin/tradewind call 127.0.0.1:7002 MarketData.GetCandles --json '{\"symbol\":\"BTC/USDT\",\"timeframe\":\"TIMEFRAME_M1\"}'"
echo "      $bin/tradewind call 127.0.0.1:7003 Indicators.CreateIndicatorSet --json '{\"symbol\":\"BTC/USDT\",\"timeframe\":\"TIMEFRAME_M1\",\"indicators\":[{\"name\":\"rsi\",\"parameters\":[14]},{\"name\":\"macd\"}]}'"
echo "      $bin/tradewind call 127.0.0.1:7003 Indicators.Latest --json '{\"symbol\":\"BTC/USDT\",\"timeframe\":\"TIMEFRAME_M1\"}'"
echo "      $bin/tradewind call 127.0.0.1:7004 Execution.CreateAccount --json '{\"owner_id\":\"me\",\"initial_cash\":{\"raw\":\"1000000000000\"}}'"
echo "      $bin/tradewind call 127.0.0.1:7005 Risk.PlaceOrder --json '{\"order\":{\"account_id\":\"<id>\",\"symbol\":\"BTC/USDT\",\"side\":\"SIDE_BUY\",\"type\":\"ORDER_TYPE_MARKET\",\"quantity\":{\"raw\":\"1000000\"}}}'"
echo "Ctrl-C stops everything."
wait
