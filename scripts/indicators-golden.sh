#!/usr/bin/env bash
# Regenerates the TA-Lib golden files (Tests/IndicatorsTests/Golden) with pinned versions in a
# private venv. Needs python3-venv and PyPI; the tests themselves need no Python.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.build-tools/talib-venv
if [[ ! -x $venv/bin/python ]]; then
    python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check "TA-Lib==0.8.2" "numpy==2.4.6"
"$venv/bin/python" scripts/indicators-golden.py
