#!/usr/bin/env bash
# Set up from nothing and run the whole test suite against the real Neo4j server
# (the test session starts the server and stops it at the end).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
set +e
.venv/bin/python -m pytest "$@"
status=$?
set -e
if [ $status -eq 5 ]; then echo "error: pytest collected no tests" >&2; exit 1; fi
exit $status
