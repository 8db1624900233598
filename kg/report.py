"""``citykg report``: the main job, as a short pipeline of independent steps.

    build -> write build files -> load into Neo4j (when reachable) -> analyses
          -> views (national, 长三角, 南京都市圈, 江苏省) -> index.html

A step that cannot run (no Neo4j server, a scope missing from data/) is noted
on the page instead of failing the whole report; a step that breaks on bad
data (the build) stops it with the reason.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from kg.paths import DATA
from kg.viz.report_page import Link

log = logging.getLogger(__name__)

# The views every report carries: (scope name, file name).
REPORT_VIEWS = (
    ("national", "national.html"),
    ("长江三角洲城市群", "cluster-yangtze-river-delta.html"),
    ("南京都市圈", "metro-nanjing.html"),
    ("江苏省", "province-jiangsu.html"),
)


@dataclass
class ReportResult:
    index: Path
    views: list[Link] = field(default_factory=list)
    analyses: list[Link] = field(default_factory=list)
    neo4j_status: str = ""
    notes: list[str] = field(default_factory=list)


def load_into_neo4j(g) -> tuple[bool, str]:
    """Load ``g`` into the Neo4j server when one answers; (ok, what happened).

    The load converges (``kg.store.neo4j_load``): afterwards the database holds exactly this
    build, plus any firm layer from `citykg firms import`.
    """
    from neo4j.exceptions import DriverError, Neo4jError

    from kg.store import neo4j_load, neo4j_server

    try:
        driver = neo4j_server.connect()
    except neo4j_server.ServerError as exc:
        return False, f"not loaded into Neo4j: {exc}"
    try:
        done = neo4j_load.load_graph(driver, g, progress=False)
    except (Neo4jError, DriverError, neo4j_load.LoadError) as exc:
        return False, f"loading into Neo4j failed: {exc}"
    finally:
        driver.close()
    uri = neo4j_server.connection_settings()["uri"]
    status = f"loaded {len(g):,} nodes and {g.number_of_edges():,} relationships into Neo4j at {uri}"
    if done.get("pruned_nodes") or done.get("pruned_relationships"):
        status += (f"; removed {done['pruned_nodes']:,} nodes and {done['pruned_relationships']:,} "
                   "relationships that this build no longer has")
    return True, status


def _browser_url() -> str:
    from kg.store import neo4j_server

    return neo4j_server.browser_url()


def run_analyses(g, out: Path, as_of: int | None = None,
                 plan: str | None = None) -> tuple[list[Link], list[str]]:
    """Centrality, homogeneity and linkage reports (kg.analysis.reports); (links, notes)."""
    from kg.analysis import reports

    pages = reports.write_all(g, out, as_of=as_of, plan=plan)
    return [Link(title, Path(path)) for title, path in pages], []


def reference_text(g, as_of: int | None = None, plan: str | None = None) -> str:
    """What the report's groupings are scoped to, in words (the index page says it)."""
    from kg.model.membership import latest_year

    year = as_of if as_of is not None else latest_year(g)
    if plan:
        return (f"the member list of plan {plan} for the grouping(s) it targets; every other "
                f"grouping as of {year} (its latest plan in force then)")
    how = "--as-of" if as_of is not None else "the latest year in the data"
    return f"as of {year} ({how}): each grouping's latest plan in force that year"


def write_views(g, out: Path, progress: Callable[[str], None], as_of: int | None = None,
                plan: str | None = None) -> tuple[list[Link], list[str]]:
    """The report's fixed set of views; a scope the graph lacks becomes a note. A grouping
    view shows its members as of ``as_of`` (or of ``plan`` when the plan targets it)."""
    from kg.analysis.scope import own_plan
    from kg.model.resolve import PlaceIndex
    from kg.viz.pyvis_html import write_html
    from kg.viz.scope import ScopeError, resolve_scope, with_reference
    from kg.viz.views import EmptyView, make_view

    index = PlaceIndex(g)
    links, notes = [], []
    for name, file_name in REPORT_VIEWS:
        progress(f"view: {name}")
        try:
            scope = resolve_scope(g, name, index)
            if as_of is not None or plan is not None:
                own = own_plan(g, scope.key, plan) if scope.kind == "grouping" else None
                scope = with_reference(g, scope, as_of, own)
            view = make_view(g, scope)
        except (ScopeError, EmptyView) as exc:
            notes.append(f"view {name} not drawn: {exc}")
            continue
        path = write_html(view, out / file_name)
        links.append(Link(view.title, path, nodes=len(view.nodes), edges=len(view.edges)))
    return links, notes


def run_report(out: Path, data_dir: Path = DATA, use_neo4j: bool = True,
               progress: Callable[[str], None] = log.info, graph=None,
               force: bool = False, as_of: int | None = None,
               plan: str | None = None) -> ReportResult:
    """Run every step and write ``out/index.html`` (``graph``: an already built graph).
    ``as_of``/``plan`` scope every grouping the analyses and views use, as ``citykg analyze``
    does (``kg.analysis.scope.reference_scope``).

    ``out`` must be new, empty or (with ``force``) a previous report (``kg.store.outdir``)."""
    import shutil

    from kg.build import build_graph, write_build
    from kg.store.outdir import check_replace, write_marker
    from kg.viz.report_page import read_sources, write_index

    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise FileNotFoundError(f"curated data folder {data_dir} does not exist")
    out = Path(out)
    check_replace(out, "report", force)
    if out.exists():
        shutil.rmtree(out)       # a previous report: check_replace saw that citykg wrote every file
    out.mkdir(parents=True)
    progress("building the graph")
    g = graph if graph is not None else build_graph(data_dir, progress=progress)
    if plan is not None:
        from kg.analysis.scope import reference_scope

        reference_scope(g, as_of, plan)      # a plan that targets no grouping stops here
    progress("validating and writing the build files")
    build_report = write_build(g, out / "build")
    notes: list[str] = []
    if use_neo4j:
        progress("loading into Neo4j")
        ok, status = load_into_neo4j(g)
    else:
        ok, status = False, "not loaded into Neo4j (--no-neo4j)"
    progress("analyses")
    analyses, more = run_analyses(g, out / "analysis", as_of, plan)
    notes += more
    views, more = write_views(g, out / "views", progress, as_of, plan)
    notes += more
    progress("index.html")
    index = write_index(out, g, views=views, analyses=analyses, build_dir=out / "build",
                        neo4j_status=status, neo4j_ok=ok, browser_url=_browser_url() if ok else "",
                        sources=read_sources(data_dir), notes=notes,
                        reference=reference_text(g, as_of, plan),
                        built_at=build_report.get("built_at", time.strftime("%Y-%m-%dT%H:%M:%S")))
    write_marker(out, "report")
    return ReportResult(index, views, analyses, status, notes)
