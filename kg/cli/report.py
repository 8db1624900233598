"""``citykg report``: build, load, analyse, draw, and one index.html that links it all."""
from __future__ import annotations

from pathlib import Path

import typer

from kg.cli import app, fail
from kg.cli.analyze import AS_OF


@app.command()
def report(out: Path = typer.Option(Path("report"), "--out", help="Folder for the report."),
           data: Path = typer.Option(None, "--data", help="Curated data folder (default: data/)."),
           no_neo4j: bool = typer.Option(False, "--no-neo4j", help="Do not load into Neo4j."),
           force: bool = typer.Option(False, "--force", help="Replace a previous report in --out "
                                      "(never a folder citykg did not write)."),
           as_of: int = AS_OF,
           plan: str = typer.Option(None, "--plan", help="Use this plan's member list for the "
                                    "grouping(s) it targets (e.g. policy:yrd-cluster-plan-2016); "
                                    "the other groupings stay as of --as-of.")):
    """The main job: build the graph, load it into Neo4j when a server answers, run the
    analyses, draw the views, and write OUT/index.html linking everything. --as-of / --plan
    scope every grouping the analyses and views use; the index page says which."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from kg.build import BuildError
    from kg.paths import DATA
    from kg.report import run_report

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  transient=True) as bar:
        task = bar.add_task("report", total=None)
        try:
            result = run_report(out, data or DATA, use_neo4j=not no_neo4j, force=force,
                                progress=lambda s: bar.update(task, description=s),
                                as_of=as_of, plan=plan)
        except (BuildError, ValueError, FileNotFoundError) as exc:
            fail(str(exc))
    typer.echo(result.neo4j_status)
    for link in result.views:
        typer.echo(f"view: {link.path} ({link.nodes} nodes, {link.edges} edges)")
    for link in result.analyses:
        typer.echo(f"analysis: {link.path}")
    for note in result.notes:
        typer.secho(f"note: {note}", fg=typer.colors.YELLOW)
    typer.echo(f"open {result.index}")
