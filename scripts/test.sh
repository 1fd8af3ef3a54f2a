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
# Schemathesis, pinned, in a venv of its own under .build (kept between runs): APIConformanceTests
# runs it against the live gateway and fails on anything it finds.
st_venv=.build/schemathesis-4.32.5
if [ ! -x "$st_venv/bin/st" ]; then
  python3 -m venv "$st_venv"
  "$st_venv/bin/pip" install --quiet --disable-pip-version-check schemathesis==4.32.5
fi
export TRADEWIND_SCHEMATHESIS="$root/$st_venv/bin/st"
# An import a target does not declare builds only when the build order happens to allow it: refuse it.
swift build --build-tests --explicit-target-dependency-import-check=error "$@"
# A test that hangs would hold CI for its whole time budget: past the limit the run is stopped, with
# every process it started. Output is line-buffered, so the log shows which tests started and never
# finished.
limit=${TRADEWIND_TEST_TIMEOUT_SECONDS:-1200}
# At most this many tests at once: every gateway and platform test starts whole service stacks, and
# on two cores an unbounded run starves their handshakes past the connect wait. Four since the
# schemathesis suite joined (at six, a gateway-harness request timed out at 30 s in 2 of 7 runs).
parallel=${TRADEWIND_TEST_PARALLELISM:-4}
setsid stdbuf -oL -eL swift test --skip-build --experimental-maximum-parallelization-width "$parallel" "$@" &
tests=$!
# Every process still in the tests' session. Not their process group: Foundation's `Process` puts
# each service a test starts in a group of its own.
stop_session() {
    local stat line fields
    for stat in /proc/[0-9]*/stat; do
        { read -r line < "$stat"; } 2>/dev/null || continue  # gone since the listing
        read -r -a fields <<< "${line##*) }"  # state, parent, group, session, …
        [ "${fields[3]}" = "$tests" ] && kill -KILL "${stat//[^0-9]/}" 2>/dev/null
    done
    return 0
}
trap 'stop_session; exit 130' INT TERM
(
  trap 'kill "$sleeper" 2>/dev/null; exit 0' TERM
  sleep "$limit" &
  sleeper=$!
  wait "$sleeper"
  echo "test.sh: the tests were still running after ${limit}s; stopping them (see the last 'started' lines above)" >&2
  stop_session
) &
watchdog=$!
status=0
wait "$tests" || status=$?
kill "$watchdog" 2>/dev/null || true
# Services a crashed test process could not stop would outlive it, holding their ports and the
# infrastructure's connections.
stop_session
exit "$status"
