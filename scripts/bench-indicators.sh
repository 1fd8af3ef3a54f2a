#!/usr/bin/env bash
# `tradewind bench indicators` with TA-Lib's C code measured side by side on the same bars.
# Release build; TA-Lib through its pinned PyPI wheel in a private venv.
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
"$venv/bin/python" scripts/bench-indicators.py "$work/bars.f64" > "$work/talib.json"
.build/release/tradewind bench indicators --bars "$bars" --talib "$work/talib.json" "$@"
