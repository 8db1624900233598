"""``citykg viz``: an offline pyvis view of one scope (or an ego network)."""
from __future__ import annotations

from pathlib import Path

import typer

from kg.cli import app, fail


def load_graph(build: Path | None, progress_text: str = "building the graph"):
    """The graph from a build folder (fast) or built in memory (the default)."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    if build is not None:
        from kg.store.files import BuildFileError, read_build

        if not (Path(build) / "nodes.csv").exists():
            fail(f"{build}: not a build folder (no nodes.csv); run `citykg build --out {build}` first")
        try:
            return read_build(build)
        except BuildFileError as exc:  # a damaged build folder: file and line, no stack trace
            fail(str(exc))
    from kg.build import build_graph

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  transient=True) as bar:
        task = bar.add_task(progress_text, total=None)
        try:
            return build_graph(progress=lambda s: bar.update(task, description=s))
        except (ValueError, FileNotFoundError) as exc:
            fail(str(exc))


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in text).strip("-") or "view"


@app.command()
def viz(scope: str = typer.Option("national", "--scope",
                                  help="national, a province/city/county, a cluster or metro circle "
                                       "(name, alias or id), or any node id."),
        ego: str = typer.Option(None, "--ego", help="Draw the ego network of this place or node instead."),
        depth: int = typer.Option(1, "--depth", help="Hops around --ego."),
        size_by: str = typer.Option("degree", "--size-by",
                                    help="Centrality that sizes the nodes: degree, pagerank, "
                                         "betweenness, closeness or eigenvector."),
        out: Path = typer.Option(None, "--out", help="HTML file to write (default: views/<scope>.html)."),
        build: Path = typer.Option(None, "--build",
                                   help="Read a build folder (from `citykg build`) instead of building."),
        as_of: int = typer.Option(None, "--as-of", min=1949, max=2100,
                                  help="Reference year of a grouping's members: the latest plan in "
                                       "force that year (default: the latest year in the data)."),
        plan: str = typer.Option(None, "--plan", help="Show a grouping's members as this one plan "
                                                      "lists them (e.g. policy:yrd-cluster-plan-2016).")):
    """Write an interactive view (pyvis, works offline): nodes placed by their coordinates,
    coloured by type, sized by a centrality; hover for facts and sources; filter by type."""
    from kg.viz.pyvis_html import write_html
    from kg.viz.scope import ScopeError, ego_scope, resolve_scope, with_reference
    from kg.viz.sizing import MEASURES
    from kg.viz.views import EmptyView, make_view

    if size_by not in MEASURES:
        fail(f"--size-by {size_by!r} is not a centrality; choose one of {', '.join(MEASURES)}")
    if out is not None and out.suffix.lower() not in (".html", ".htm"):
        fail(f"--out {out}: the view is an HTML page; give a file name ending in .html")
    from kg.store.outdir import OutputDirError, check_overwrite_page

    try:
        if out is not None:
            check_overwrite_page(out)     # before the work, so a refusal costs nothing
    except OutputDirError as exc:
        fail(str(exc))
    g = load_graph(build)
    try:
        chosen = (ego_scope(g, ego, depth) if ego
                  else with_reference(g, resolve_scope(g, scope), as_of, plan))
        view = make_view(g, chosen, size_by=size_by)
    except (ScopeError, EmptyView) as exc:
        fail(str(exc))
    out = out or Path("views") / f"{_slug(chosen.key or 'national')}.html"
    try:
        write_html(view, out)
    except OutputDirError as exc:
        fail(str(exc))
    typer.echo(f"wrote {out} ({len(view.nodes)} nodes, {len(view.edges)} edges): {view.title}")
