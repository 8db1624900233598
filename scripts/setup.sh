#!/usr/bin/env bash
# Set up everything citykg needs, from nothing but Python 3.11, Java 17 and Maven:
# the virtualenv and packages, a CJK font, and a local Neo4j 5.26 assembled from Maven Central.
#   scripts/setup.sh          # what `citykg report` needs
#   scripts/setup.sh --test   # plus test tools: pytest, nbclient, playwright + Debian's chromium
set -euo pipefail
cd "$(dirname "$0")/.."
want_test=0; [ "${1:-}" = "--test" ] && want_test=1

need() { command -v "$1" >/dev/null 2>&1 || { echo "error: $1 is not installed ($2)" >&2; exit 1; }; }
need python3.11 "install Python 3.11" 2>/dev/null || need python3 "install Python 3.11"
need java "install a Java 17 runtime (Debian: apt-get install openjdk-17-jre-headless)"
need mvn "install Maven 3.8+ (Debian: apt-get install maven)"
PY=$(command -v python3.11 || command -v python3)

if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv"
  "$PY" -m venv .venv
fi
echo "==> installing Python packages"
.venv/bin/python -m pip install -q --upgrade pip
# requirements.lock pins every package to the version the suite passed with (scripts/lock.sh).
if [ $want_test = 1 ]; then
  .venv/bin/python -m pip install -q -c requirements.lock -e '.[test]'
else
  .venv/bin/python -m pip install -q -c requirements.lock -e .
fi

# Debian packages: a CJK font for figures and views; chromium for the browser tests.
apt_pkgs=()
fc-list 2>/dev/null | grep -qi "noto sans cjk" || apt_pkgs+=(fonts-noto-cjk)
if [ $want_test = 1 ] && ! command -v chromium >/dev/null 2>&1; then apt_pkgs+=(chromium); fi
if [ ${#apt_pkgs[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "==> apt-get install ${apt_pkgs[*]}"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${apt_pkgs[@]}" >/dev/null
  else
    echo "warning: please install Debian packages: ${apt_pkgs[*]}" >&2
  fi
fi

echo "==> installing Neo4j (Maven Central) if needed"
.venv/bin/citykg neo4j install
