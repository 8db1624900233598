"""Where things live: the repository, its data, and the per-user cache outside the repo."""
from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "data"
ONTOLOGY = REPO / "ontology"
QUERIES = REPO / "queries"
CORPUS = Path(os.environ.get("CITYKG_CORPUS", REPO.parent / "shared" / "corpus"))
# Neo4j installation and its password live outside the repository.
CACHE = Path(os.environ.get("CITYKG_CACHE", Path.home() / ".cache" / "citykg"))
DEVSET = Path(os.environ.get("CITYKG_DEVSET", REPO.parent / "shared" / "devset"))
