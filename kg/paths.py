"""Where things live: the repository, its data, and the per-user cache outside the repo.

Outside document sets (the founding corpus, the extraction development set) are inputs, not
part of the repository: they are used only where ``CITYKG_CORPUS`` / ``CITYKG_DEVSET`` point.
"""
from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "data"
ONTOLOGY = REPO / "ontology"
QUERIES = REPO / "queries"
# Neo4j installation and its password live outside the repository.
CACHE = Path(os.environ.get("CITYKG_CACHE", Path.home() / ".cache" / "citykg"))


def _optional_dir(variable: str) -> Path | None:
    value = os.environ.get(variable)
    return Path(value).expanduser() if value else None


# The founding corpus (five articles) and the extraction development set: None unless set.
CORPUS = _optional_dir("CITYKG_CORPUS")
DEVSET = _optional_dir("CITYKG_DEVSET")
