#!/usr/bin/env bash
# Installs the Debian packages Tradewind builds and runs with, when any is missing.
#   --codegen   only what scripts/generate-proto.sh needs
set -euo pipefail
# wrk: the load generator `tradewind bench gateway` drives the API with. openssl and curl: the TLS
# tests make a throwaway CA and talk HTTPS and WSS to the gateway.
# libxml2: FoundationXML parses the news agent's RSS and Atom feeds with it.
pkgs=(libpq-dev libhiredis-dev libxml2 libprotobuf-c-dev protobuf-c-compiler protobuf-compiler redis-server postgresql-15 python3-venv wrk openssl curl)
[ "${1:-}" = "--codegen" ] && pkgs=(protobuf-c-compiler protobuf-compiler libprotobuf-c-dev python3-venv)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# python3-venv is not needed where python3 already has a working venv module (e.g. pyenv builds).
if [[ " ${missing[*]:-} " == *" python3-venv "* ]] && python3 -c "import venv, ensurepip" 2>/dev/null; then
  missing=("${missing[@]/python3-venv}")
fi
missing=(${missing[@]:-})
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
