"""``citykg build``: build the whole graph, validate it and write the build files."""
from __future__ import annotations

from pathlib import Path

import typer

from kg.cli import app, fail


@app.command()
def build(out: Path = typer.Option(Path("build"), "--out", help="Folder for the build files."),
          data: Path = typer.Option(None, "--data", help="Curated data folder (default: data/).")):
    """Build the graph from packaged sources + data/, validate it (SHACL) and write
    nodes.csv, relationships.csv, graph.ttl, graph.graphml and build_report.json."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from kg.build import BuildError, build_graph, write_build
    from kg.paths import DATA

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  transient=True) as bar:
        task = bar.add_task("building the graph", total=None)
        try:
            g = build_graph(data or DATA, progress=lambda s: bar.update(task, description=s))
            bar.update(task, description="validating and writing")
            report = write_build(g, out)
        except (BuildError, ValueError, FileNotFoundError) as exc:
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


def _print_coverage(g) -> None:
    """The curated coverage of every city cluster and metro circle, as a table."""
    from rich.console import Console
    from rich.table import Table

    from kg.sources.curated import coverage

    rows = coverage(g)
    if not rows:
        return
    table = Table(title="curated coverage of clusters and metro circles")
    for col in ("name", "label", "members", "partial", "core", "plans", "sources"):
        table.add_column(col, no_wrap=True, justify="left" if col in ("name", "label", "core") else "right")
    for r in rows:
        # the full list of source ids is in coverage(); the table shows how many there are
        n_sources = len(r["sources"].split(";")) if r["sources"] else 0
        table.add_row(r["name"], r["label"], str(r["members"]), str(r["partial"]), r["core"],
                      str(r["plans"]), str(n_sources))
    Console(width=max(100, Console().width)).print(table)
