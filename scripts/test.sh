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
swift test --skip-build "$@"
