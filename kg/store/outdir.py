"""Output folders that citykg may write into, and the marker that says citykg wrote them.

Every command that takes ``--out DIR`` asks this module first, so that no command ever deletes
or overwrites a file it did not write. A folder citykg writes holds ``.citykg-output``: a small
JSON file with the kind of output (build, report, analysis, views), when it was written, and the
list of files written there. The rules:

- a folder that does not exist, or is empty, is fine;
- a non-empty folder without the marker is refused, whatever the options (it may be a thesis);
- *replacing* a previous output (``build``, ``report``) needs ``force=True``, and even then every
  file in it must be one the marker lists (a file a researcher added there is never deleted);
- *adding* to a previous output of the same kind (``analysis``) is allowed only while the folder
  holds nothing but files the marker lists.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "notes.txt").write_text("mine")
>>> try: check_replace(d, "build")
... except OutputDirError as exc: print(str(exc).split(":")[1].split(";")[0].strip())
it is not empty and was not written by citykg (no .citykg-output marker)
>>> out = d / "build"; out.mkdir(); _ = (out / "nodes.csv").write_text("x")
>>> _ = write_marker(out, "build", ["nodes.csv"])
>>> try: check_replace(out, "build")
... except OutputDirError as exc: print("--force" in str(exc))
True
>>> check_replace(out, "build", force=True)       # a previous build: may be replaced
>>> _ = (out / "thesis.md").write_text("mine")
>>> try: check_replace(out, "build", force=True)
... except OutputDirError as exc: print("thesis.md" in str(exc))
True
"""
from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

MARKER = ".citykg-output"


class OutputDirError(ValueError):
    """The folder given to ``--out`` cannot be written without losing something."""


def read_marker(folder: Path) -> dict | None:
    """The marker of a folder citykg wrote, or None."""
    path = Path(folder) / MARKER
    if not path.is_file():
        return None
    try:
        marker = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        return None
    return marker if isinstance(marker, dict) and "kind" in marker else None


def _contents(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if not p.is_dir()} - {MARKER}


def _foreign(folder: Path, marker: dict) -> list[str]:
    """Files in ``folder`` that its marker does not list (so citykg did not write them)."""
    return sorted(_contents(folder) - set(marker.get("files", [])))


def _describe(marker: dict) -> str:
    return f"a previous citykg {marker['kind']} output written {marker.get('written_at', '?')}"


def check_replace(folder: Path, kind: str, force: bool = False) -> None:
    """Raise unless ``folder`` may be replaced by a new output of ``kind``."""
    folder = Path(folder)
    if not folder.exists():
        return
    if not folder.is_dir():
        raise OutputDirError(f"--out {folder}: it is a file, not a folder")
    if not any(folder.iterdir()):
        return
    marker = read_marker(folder)
    if marker is None:
        raise OutputDirError(f"--out {folder}: it is not empty and was not written by citykg "
                             f"(no {MARKER} marker); nothing was changed. Choose a new or empty folder.")
    foreign = _foreign(folder, marker)
    if foreign:
        raise OutputDirError(f"--out {folder}: {_describe(marker)}, but it also holds files "
                             f"citykg did not write ({', '.join(foreign[:5])}"
                             f"{' …' if len(foreign) > 5 else ''}); nothing was changed")
    if marker["kind"] != kind:
        raise OutputDirError(f"--out {folder}: it holds {_describe(marker)}, not a {kind}; "
                             "nothing was changed. Choose another folder.")
    if not force:
        raise OutputDirError(f"--out {folder}: it holds {_describe(marker)}; "
                             "pass --force to replace it")


def check_add(folder: Path, kind: str) -> None:
    """Raise unless new files of ``kind`` may be written into ``folder``: it is new or empty, or a
    previous output of the same kind that holds only files citykg wrote."""
    folder = Path(folder)
    if not folder.exists() or (folder.is_dir() and not any(folder.iterdir())):
        return
    if not folder.is_dir():
        raise OutputDirError(f"--out {folder}: it is a file, not a folder")
    marker = read_marker(folder)
    if marker is None:
        raise OutputDirError(f"--out {folder}: it is not empty and was not written by citykg "
                             f"(no {MARKER} marker); nothing was changed. Choose a new or empty folder.")
    if marker["kind"] != kind:
        raise OutputDirError(f"--out {folder}: it holds {_describe(marker)}, not {kind}; "
                             "nothing was changed")
    foreign = _foreign(folder, marker)
    if foreign:
        raise OutputDirError(f"--out {folder}: it also holds files citykg did not write "
                             f"({', '.join(foreign[:5])}{' …' if len(foreign) > 5 else ''}); "
                             "nothing was changed")


GENERATOR_TAG = '<meta name="generator" content="citykg">'


def check_overwrite_page(path: Path) -> None:
    """Raise unless ``path`` is new or an HTML page citykg wrote (its generator tag says so)."""
    path = Path(path)
    if not path.exists():
        return
    if path.is_dir():
        raise OutputDirError(f"--out {path}: it is a folder; give the name of an .html file")
    with open(path, "rb") as fh:
        head = fh.read(4096).decode("utf-8", errors="replace")
    if GENERATOR_TAG not in head:
        raise OutputDirError(f"--out {path}: the file exists and was not written by citykg; "
                             "nothing was changed. Choose another file name.")


def write_marker(folder: Path, kind: str, files: list[str] | None = None) -> Path:
    """Record that citykg wrote ``files`` (default: everything now in the folder) into ``folder``;
    an existing marker of the same kind keeps its files listed (outputs that add files)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    old = read_marker(folder)
    listed = set(files if files is not None else _contents(folder))
    if old and old["kind"] == kind:
        listed |= {f for f in old.get("files", []) if (folder / f).exists()}
    marker = {"kind": kind, "written_at": time.strftime("%Y-%m-%dT%H:%M:%S"), "files": sorted(listed)}
    path = folder / MARKER
    path.write_text(json.dumps(marker, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def replace_dir(new: Path, out: Path, kind: str, force: bool = False) -> None:
    """Move the finished folder ``new`` to ``out``, replacing a previous output (see check_replace)."""
    check_replace(out, kind, force)
    write_marker(new, kind)
    if out.exists():
        shutil.rmtree(out)
    new.rename(out)
