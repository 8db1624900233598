#!/usr/bin/env bash
# Write requirements.lock: the exact versions of every package the suite passed with.
# scripts/setup.sh installs with it as pip constraints, so a fresh install next year gets
# the same versions. Run after changing dependencies in pyproject.toml (and run the suite).
set -euo pipefail
cd "$(dirname "$0")/.."
{
  echo "# Exact versions the test suite passed with (scripts/lock.sh; Python $(.venv/bin/python -c 'import sys; print(sys.version.split()[0])'))."
  echo "# Used by scripts/setup.sh as pip constraints (-c)."
  .venv/bin/python -m pip freeze --exclude-editable | grep -v '^citykg' | LC_ALL=C sort -f
} > requirements.lock
echo "wrote requirements.lock ($(grep -vc '^#' requirements.lock) packages)"
