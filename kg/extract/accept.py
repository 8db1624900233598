"""Reviewed candidates -> curated data rows, with full provenance.

The researcher edits the candidates file: ``"decision": "keep"`` or ``"drop"`` on
each line (and, for an ambiguous place, sets ``head.id``/``tail.id`` to one of
its ``candidates``). ``accept_file()`` then turns every kept candidate into a row of

* ``data/relations/accepted.csv`` (relationships and ``MENTIONS``), read by the
  curated reader like every other relations file, so ``citykg build`` picks
  them up with no extra code path; or
* ``data/statistics.csv`` (``STATISTIC`` candidates).

Each row cites the document (``source_id`` = its file name, added to
``data/sources.csv`` as an article when missing) and carries the sentence as
``quote``, plus ``candidate_id``, ``pattern`` and ``confidence``.

Nothing is added twice: a candidate whose id is already in accepted.csv, a
relationship whose (type, head, tail, source) any relations file already has, or
a statistic whose (place, indicator, year) statistics.csv already has is
skipped and reported. The new rows are checked with the curated reader on a
copy of ``data/`` before anything is written; on any problem nothing is.
"""
from __future__ import annotations

import csv
import io
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from kg.extract.candidates import DECISIONS, MENTIONS, STATISTIC, Candidate, _default_mode, read_jsonl
from kg.model import schema
from kg.sources.curated_rows import SOURCE_COLUMNS

ACCEPTED = Path("relations") / "accepted.csv"
STATISTICS = Path("statistics.csv")
SOURCES = Path("sources.csv")
ACCEPTED_COLUMNS = ["type", "head", "head_name", "tail", "tail_name", "function", "role",
                    "output_value", "unit", "candidate_id", "pattern", "confidence",
                    "source_id", "source_title", "year", "quote", "checked", "note",
                    "accepted_from", "accepted_on"]
STAT_COLUMNS = ["adcode", "year", "indicator", "value", "unit", "source_id", "quote", "note"]


class AcceptError(ValueError):
    """Reviewed candidates that cannot be accepted; ``problems`` lists them all."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s), nothing was written:\n  " + "\n  ".join(problems))


@dataclass
class AcceptReport:
    relations: int = 0
    statistics: int = 0
    sources: list = field(default_factory=list)
    skipped: list = field(default_factory=list)     # (candidate id, why)
    dropped: int = 0
    undecided: int = 0


def _read_csv(path: Path) -> tuple[list[str], list[dict]]:
    if not path.exists():
        return [], []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def _append_rows(path: Path, columns: list[str], rows: list[dict]) -> None:
    """Append rows, writing the header first if the file is new (atomic replace)."""
    header, existing = _read_csv(path)
    used = {k for r in rows for k, v in r.items() if v not in ("", None)}
    columns = (header + [c for c in columns if c not in header and c in used]) if header else columns
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(existing)
    writer.writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
        fh.write(buf.getvalue())
    os.chmod(tmp, _default_mode())
    os.replace(tmp, path)


def ensure_source(data_dir: Path, source_id: str, title: str, year: int | None,
                  publisher: str = "", ref: str = "") -> bool:
    """Add ``source_id`` to data/sources.csv as an article if it is not there; True if added.

    The file is re-read right before writing (other tools append to it too).
    """
    path = Path(data_dir) / SOURCES
    _, rows = _read_csv(path)
    known = {r.get("source_id") for r in rows}
    if source_id in known or f"policy:{source_id}" in known:
        return False
    _append_rows(path, SOURCE_COLUMNS, [{
        "source_id": source_id, "title": title or source_id, "publisher": publisher,
        "year": year or "", "kind": "article", "url_or_ref": ref or source_id,
        "note": "added by citykg accept (extracted document)"}])
    return True


def _existing_keys(data_dir: Path) -> tuple[set, dict, set]:
    """Candidate ids already accepted, relationship keys of every relations file, stat keys."""
    ids, rel_keys, stat_keys = set(), {}, set()
    for path in sorted((data_dir / "relations").glob("*.csv")):
        _, rows = _read_csv(path)
        for n, r in enumerate(rows, 2):
            if r.get("candidate_id"):
                ids.add(r["candidate_id"])
            rel_keys.setdefault((r.get("type"), r.get("head"), r.get("tail"), r.get("source_id")),
                                f"{path.relative_to(data_dir).as_posix()}:{n}")
    _, rows = _read_csv(data_dir / STATISTICS)
    for r in rows:
        stat_keys.add((r.get("adcode"), r.get("indicator"), str(r.get("year"))))
        # the same figure from the same source under another indicator name is the same fact
        stat_keys.add(_stat_value_key(r.get("adcode"), r.get("year"), r.get("value"), r.get("unit"),
                                      r.get("source_id")))
    return ids, rel_keys, stat_keys


def _stat_value_key(adcode, year, value, unit, source_id) -> tuple:
    try:
        value = round(float(value), 4)
    except (TypeError, ValueError):
        pass
    return ("value", adcode, str(year), value, unit or "", source_id)


def _name(g, key: str) -> str:
    return g.nodes[key].get("name", "") if key in g else ""


def _relation_row(g, c: Candidate, cid: str, year) -> dict:
    props = c.properties or {}
    return {"type": c.type, "head": c.head.id, "head_name": _name(g, c.head.id),
            "tail": c.tail.id, "tail_name": _name(g, c.tail.id),
            "function": props.get("function", ""), "role": props.get("role", ""),
            "output_value": props.get("output_value", ""), "unit": props.get("unit", "")
            if c.type != MENTIONS else "",
            "candidate_id": cid, "pattern": c.pattern, "confidence": c.confidence,
            "source_id": c.doc_id, "source_title": "", "year": year, "quote": c.sentence,
            "checked": "true",
            "note": f"accepted from extraction (offsets {c.start}-{c.end}); reviewed by a researcher"}


def _stat_note(p: dict, cid: str) -> str:
    bound = {">": "a lower bound", "<": "an upper bound", "~": "approximate"}.get(p.get("qualifier"))
    written = f"as written: {p.get('as_written')}" if p.get("as_written") else ""
    parts = [f"{bound} ({written})" if bound else written, f"accepted from extraction {cid}"]
    return "; ".join(x for x in parts if x)


def _check_ends(g, c: Candidate, lineno: int, problems: list[str]) -> bool:
    ok = True
    ends = [("head", c.head)] + ([("tail", c.tail)] if c.tail else [])
    for which, end in ends:
        if end.id and (end.id in g or (c.type == MENTIONS and which == "head")):
            continue
        if end.id:
            problems.append(f"line {lineno}: {which} {end.id!r} is not a node of the graph")
        elif end.title:
            problems.append(f"line {lineno}: {which} 《{end.title}》 is not in the graph: add it to "
                            f"data/nodes/policies.csv, then set {which}.id to its id")
        elif end.candidates:
            problems.append(f"line {lineno}: {which} {end.surface!r} is ambiguous "
                            f"({', '.join(end.candidates)}): set {which}.id to one of them")
        else:
            problems.append(f"line {lineno}: {which} {end.surface!r} has no node id")
        ok = False
    if ok and c.type not in (MENTIONS, STATISTIC):
        src, dst = schema.REL_TYPES.get(c.type, ((), ()))
        if not set(g.nodes[c.head.id]["labels"]) & set(src) or \
                not set(g.nodes[c.tail.id]["labels"]) & set(dst):
            problems.append(f"line {lineno}: {c.type} cannot link {c.head.id} to {c.tail.id}")
            ok = False
    if ok and c.type == STATISTIC and not schema.is_place(g.nodes[c.head.id]):
        problems.append(f"line {lineno}: a statistic needs a place, not {c.head.id}")
        ok = False
    return ok


def accept_file(reviewed: Path, data_dir: Path, g, dry_run: bool = False,
                mentions: bool = False, accepted_on: str | None = None) -> AcceptReport:
    """Append the kept candidates of ``reviewed`` to the curated files under ``data_dir``.

    ``MENTIONS`` candidates (document -> entity) are written only with ``mentions=True``:
    their head is a Document node, which the curated reader must know about.
    Each relationship row records ``accepted_from`` (the candidates file's name) and
    ``accepted_on`` (ISO date, default today).
    """
    import datetime

    from kg.extract.pipeline import source_years

    data_dir = Path(data_dir)
    report, problems = AcceptReport(), []
    ids, rel_keys, stat_keys = _existing_keys(data_dir)
    years = source_years(data_dir)
    rel_rows, stat_rows, new_sources = [], [], {}
    for lineno, c, written_id in read_jsonl(reviewed):
        if c.decision not in (None, *DECISIONS):
            problems.append(f"line {lineno}: decision must be keep or drop, not {c.decision!r}")
            continue
        if c.decision != "keep":
            report.dropped += c.decision == "drop"
            report.undecided += c.decision is None
            continue
        cid = written_id or c.id      # the id given at extraction, even if the reviewer fixed an end
        if c.type == MENTIONS and not mentions:
            report.skipped.append((cid, "MENTIONS are accepted only with --mentions"))
            continue
        if not _check_ends(g, c, lineno, problems):
            continue
        year = c.year or years.get(c.doc_id)
        if not year:
            problems.append(f"line {lineno}: no year: set \"year\" (the year the document states it)")
            continue
        if c.doc_id not in years and c.doc_id not in new_sources:
            new_sources[c.doc_id] = (c.doc_title or c.doc_id, c.year)
        if c.type == STATISTIC:
            p = c.properties
            key = (c.head.id, p.get("indicator"), str(year))
            same = _stat_value_key(c.head.id, year, p.get("value"), p.get("unit"), c.doc_id)
            if key in stat_keys or same in stat_keys:
                report.skipped.append((cid, f"statistics.csv already has {c.head.id} {year} "
                                            f"{p.get('value')} {p.get('unit')}"))
                continue
            stat_keys.update({key, same})
            stat_rows.append({"adcode": c.head.id, "year": year, "indicator": p.get("indicator"),
                              "value": p.get("value"), "unit": p.get("unit", ""),
                              "source_id": c.doc_id, "quote": c.sentence,
                              "note": _stat_note(p, cid)})
            continue
        if cid in ids:
            report.skipped.append((cid, "already accepted"))
            continue
        key = (c.type, c.head.id, c.tail.id, c.doc_id)
        if key in rel_keys:
            report.skipped.append((cid, f"already in {rel_keys[key]}"))
            continue
        rel_keys[key] = f"line {lineno} of {reviewed}"
        ids.add(cid)
        rel_rows.append({**_relation_row(g, c, cid, year), "accepted_from": Path(reviewed).name,
                         "accepted_on": accepted_on or datetime.date.today().isoformat()})
    if problems:
        raise AcceptError(problems)
    _validate(g, data_dir, rel_rows, stat_rows, new_sources)
    report.relations, report.statistics = len(rel_rows), len(stat_rows)
    report.sources = sorted(new_sources)
    if not dry_run:
        for sid, (title, year) in sorted(new_sources.items()):
            ensure_source(data_dir, sid, title, year)
        if rel_rows:
            _append_rows(data_dir / ACCEPTED, ACCEPTED_COLUMNS, rel_rows)
        if stat_rows:
            _append_rows(data_dir / STATISTICS, STAT_COLUMNS, stat_rows)
    return report


def _validate(g, data_dir: Path, rel_rows, stat_rows, new_sources) -> None:
    """Run the curated reader's checks on a copy of data/ with the new rows added."""
    from kg.sources.curated import CuratedDataError, check_all

    if not (rel_rows or stat_rows):
        return
    with tempfile.TemporaryDirectory(prefix="citykg-accept-") as tmp:
        copy = Path(tmp) / "data"
        shutil.copytree(data_dir, copy)
        for sid, (title, year) in new_sources.items():
            ensure_source(copy, sid, title, year)
        if rel_rows:
            _append_rows(copy / ACCEPTED, ACCEPTED_COLUMNS, rel_rows)
        if stat_rows:
            _append_rows(copy / STATISTICS, STAT_COLUMNS, stat_rows)
        base = g.copy()
        # the graph already holds the current curated layer: check the new rows on the backbone
        base.remove_nodes_from([k for k, d in g.nodes(data=True) if not schema.is_place(d)])
        try:
            check_all(base, copy)
        except CuratedDataError as exc:
            raise AcceptError(exc.errors) from None
