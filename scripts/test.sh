#!/usr/bin/env bash
# Runs every Tradewind test on this machine from scratch: installs the Debian packages it needs,
# checks the generated code is current, starts a private Postgres and Redis (scripts/infra.sh),
# runs `swift test`, and stops what it started, also on failure.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/install-deps.sh
scripts/generate-proto.sh --check
started_here=0
if ! scripts/infra.sh env >/dev/null 2>&1; then started_here=1; fi
scripts/infra.sh start >/dev/null
[ "$started_here" = 1 ] && trap 'scripts/infra.sh stop' EXIT
eval "$(scripts/infra.sh env)"
# An import a target does not declare builds only when the build order happens to allow it: refuse it.
swift build --build-tests --explicit-target-dependency-import-check=error "$@"
# A test that hangs would hold CI for its whole time budget: past the limit the run is stopped, with
# every process it started. Output is line-buffered, so the log shows which tests started and never
# finished.
limit=${TRADEWIND_TEST_TIMEOUT_SECONDS:-1200}
setsid stdbuf -oL -eL swift test --skip-build "$@" &
tests=$!
trap 'kill -KILL -- "-$tests" 2>/dev/null; exit 130' INT TERM
(
  trap 'kill "$sleeper" 2>/dev/null; exit 0' TERM
  sleep "$limit" &
  sleeper=$!
  wait "$sleeper"
  echo "test.sh: the tests were still running after ${limit}s; stopping them (see the last 'started' lines above)" >&2
  kill -KILL -- "-$tests" 2>/dev/null
) &
watchdog=$!
status=0
wait "$tests" || status=$?
kill "$watchdog" 2>/dev/null || true
exit "$status"
