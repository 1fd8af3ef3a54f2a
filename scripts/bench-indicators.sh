#!/usr/bin/env bash
# `tradewind bench indicators` with TA-Lib's C code measured side by side on the same bars.
# Release build; TA-Lib through its pinned PyPI wheel in a private venv. The machine is shared and
# noisy, so both sides are measured ROUNDS times (default 3), alternating, and each figure is the
# best of its rounds; the ratios are taken between those bests.
set -euo pipefail
cd "$(dirname "$0")/.."
bars=${BARS:-1000000}
venv=.build-tools/talib-venv
[[ -x $venv/bin/python ]] || python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check "TA-Lib==0.8.2" "numpy==2.4.6"
swift build -c release --product tradewind >&2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
.build/release/tradewind bench indicators --bars "$bars" --write-bars "$work/bars.f64"
for round in $(seq "${ROUNDS:-3}"); do
    "$venv/bin/python" scripts/bench-indicators.py "$work/bars.f64" > "$work/talib.$round.json"
    .build/release/tradewind bench indicators --bars "$bars" --talib "$work/talib.$round.json" "$@" > "$work/ours.$round.json"
done
"$venv/bin/python" scripts/bench-indicators.py --best "$work"/ours.*.json
