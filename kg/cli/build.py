"""``citykg build``: build the whole graph, validate it and write the build files."""
from __future__ import annotations

from pathlib import Path

import typer

from kg.cli import app, fail


@app.command()
def build(out: Path = typer.Option(Path("build"), "--out", help="Folder for the build files."),
          data: Path = typer.Option(None, "--data", help="Curated data folder (default: data/)."),
          force: bool = typer.Option(False, "--force", help="Replace a previous build in --out "
                                     "(never a folder citykg did not write).")):
    """Build the graph from packaged sources + data/, validate it (SHACL) and write
    nodes.csv, relationships.csv, graph.ttl, graph.graphml and build_report.json."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from kg.build import BuildError, build_graph, write_build
    from kg.paths import DATA
    from kg.store.outdir import OutputDirError, check_replace

    try:
        check_replace(out, "build", force)      # before the work, so a refusal costs nothing
    except OutputDirError as exc:
        fail(str(exc))
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  transient=True) as bar:
        task = bar.add_task("building the graph", total=None)
        try:
            g = build_graph(data or DATA, progress=lambda s: bar.update(task, description=s))
            bar.update(task, description="validating and writing")
            report = write_build(g, out, force=force)
        except (BuildError, ValueError, FileNotFoundError) as exc:   # OutputDirError is a ValueError
            fail(str(exc))
    from kg.store.files import remember_build

    remember_build(out)  # `citykg load` without a folder loads this build
    typer.echo(f"built {report['nodes']} nodes and {report['relationships']} relationships "
               f"into {out}/")
    for label, n in report["labels"].items():
        typer.echo(f"  {label:<20}{n:>7}")
    for rel, n in report["types"].items():
        typer.echo(f"  {rel:<20}{n:>7}")
    _print_coverage(g)
    _print_targets(g)


def _print_targets(g) -> None:
    """Planned industries and new urban centres against the targets of the curated layer."""
    from kg.model.targets import new_center_coverage, planned_industry_coverage
    from kg.sources.new_centers import new_center_gap, summary

    ind = planned_industry_coverage(g)
    typer.echo(f"planned industries: {ind['cities']} prefecture-level cities from their own "
               f"documents (target {ind['target']}: "
               f"{'reached' if ind['cities'] >= ind['target'] else 'not reached'}; every member "
               f"city of the groupings below: {'yes' if ind['met'] else 'not yet'})")
    for v in ind["groupings"].values():
        typer.echo(f"  {v['name']}: {v['with']}/{v['members']} member cities"
                   + (f"; missing {'、'.join(v['missing'])}" if v["missing"] else ""))
    try:
        gap = new_center_gap(g=g)
    except ValueError as exc:
        fail(str(exc))
    nc = new_center_coverage(g, counted=gap["studied"])
    typer.echo(f"new urban centres: {nc['nodes']} of the {nc['counted']} the founding study "
               f"counts ({nc['typed']} typed, {nc['with_industries']} with planned industries)")
    typer.echo(f"  {summary(gap)}")


def _print_coverage(g) -> None:
    """The curated coverage of every city cluster and metro circle, as a table, then the
    NDRC-endorsed metro circles that lack their core or members."""
    from rich.console import Console
    from rich.table import Table

    from kg.sources.curated import coverage, endorsed_gaps

    rows = coverage(g)
    if not rows:
        return
    table = Table(title="curated coverage of clusters and metro circles")
    columns = ("name", "label", "members", "plan scope", "partial", "tiers", "core", "endorsed",
               "plans", "sources")
    for col in columns:
        table.add_column(col, no_wrap=col != "tiers",
                         justify="left" if col in ("name", "label", "tiers", "core", "endorsed") else "right")
    for r in rows:
        # the full list of source ids is in coverage(); the table shows how many there are
        n_sources = len(r["sources"].split(";")) if r["sources"] else 0
        table.add_row(r["name"], r["label"], str(r["members"]), plan_scope(r), str(r["partial"]),
                      r["tiers"], r["core"], r["endorsed"], str(r["plans"]), str(n_sources))
    console = Console(width=max(150, Console().width))
    console.print(table)
    endorsed = [r for r in rows if r["endorsed"]]
    gaps = endorsed_gaps(rows)
    typer.echo(f"NDRC-endorsed metro circles: {len(endorsed)} listed, "
               f"{len(endorsed) - len(gaps)} with one core and members"
               + ("" if not gaps else "; incomplete: " + "; ".join(gaps)))


def plan_scope(row: dict) -> str:
    """``members of the scope plan/units it names``; ``n/?`` when the plan's count is unknown,
    empty when no plan sets the scope (``scope_plan`` in ``clusters.csv``).

    >>> plan_scope({"plan_members": 30, "scope_units": 30}), plan_scope({"plan_members": 1, "scope_units": None})
    ('30/30', '1/?')
    >>> plan_scope({"plan_members": None, "scope_units": None})
    ''
    """
    if row.get("plan_members") is None:
        return ""
    units = row.get("scope_units")
    return f"{row['plan_members']}/{units if units is not None else '?'}"
