"""Dependencies are pinned: requirements.lock names every dependency of pyproject.toml, and the
environment the suite runs in has exactly the locked versions (scripts/setup.sh installs with it)."""
from __future__ import annotations

import re
import tomllib
from importlib import metadata

from kg.paths import REPO


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def locked() -> dict[str, str]:
    pins = {}
    for line in (REPO / "requirements.lock").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[canonical(name)] = version.strip()
    return pins


def declared() -> set[str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    specs = project["dependencies"] + [d for ds in project["optional-dependencies"].values() for d in ds]
    return {canonical(re.match(r"[A-Za-z0-9_.-]+", spec).group(0)) for spec in specs}


def test_every_declared_dependency_is_locked():
    assert declared() - set(locked()) == set()


def test_the_suite_runs_with_the_locked_versions():
    pins = locked()
    installed = {canonical(d.metadata["Name"]): d.version for d in metadata.distributions()}
    wrong = {name: (pins[name], installed.get(name)) for name in declared() if installed.get(name) != pins[name]}
    assert wrong == {}
