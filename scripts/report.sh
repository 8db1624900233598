#!/usr/bin/env bash
# The main job: set up, start the local Neo4j, build + load + analyse + view, and write report/index.html.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/citykg neo4j start
.venv/bin/citykg report --out report --force   # --force: replace the previous run's report/ (and nothing else)
echo
echo "Open report/index.html. Neo4j Browser: http://127.0.0.1:${CITYKG_HTTP_PORT:-7474}/browser/ (user neo4j, password in ${CITYKG_CACHE:-$HOME/.cache/citykg}/neo4j-password)."
echo "Stop the server with: .venv/bin/citykg neo4j stop"
