"""``citykg flows check|import|firms|derive-air|derive-rail``: flow tables (docs/flows.md)."""
from __future__ import annotations

from pathlib import Path

import typer

from kg.cli import app, fail

flows_app = typer.Typer(help="Flow tables between cities (air, rail, migration, firm): check them, "
                             "convert OD matrices and firm files, rebuild the committed tables.",
                        no_args_is_help=True)
app.add_typer(flows_app, name="flows")

OUT = typer.Option(..., "--out", help="The flow table to write (put it in data/flows/ to build it).")
YEAR = typer.Option(..., "--year", min=1949, max=2100, help="The year the flows refer to.")
SOURCE = typer.Option(..., "--source-id", help="A source_id of data/sources.csv.")


def _graph():
    from kg.build import build_graph
    from kg.model.graph import new_graph
    from kg.sources.backbone import add_backbone

    g = new_graph()
    add_backbone(g, adjacency=False)
    return g


def _sources(source_id: str) -> None:
    from kg.paths import DATA
    from kg.sources.flows import known_sources

    if source_id not in known_sources(DATA):
        fail(f"--source-id {source_id!r} is not in {DATA / 'sources.csv'}; add a row for it first")


def _write(rows, out: Path) -> None:
    from kg.model.resolve import PlaceIndex
    from kg.sources.air import write_flow_table
    from kg.sources.flows import check_flows

    path = write_flow_table(rows, out)
    from kg.paths import DATA
    from kg.sources.flows import known_sources

    _, errors = check_flows(path, PlaceIndex(_graph()), known_sources(DATA), modes=("migration", "firm", "air", "rail"))
    if errors:  # cannot happen for rows made here; guards the writer
        path.unlink()
        fail("\n".join(errors[:20]))
    typer.echo(f"wrote {len(rows)} city pairs to {path}")


@flows_app.command()
def check(file: Path = typer.Argument(..., help="A flow table (docs/flows.md).")):
    """Check a flow table cell by cell; print every problem as file:line: reason."""
    from kg.model.resolve import PlaceIndex
    from kg.paths import DATA
    from kg.sources.flows import check_flows, known_sources

    rows, errors = check_flows(file, PlaceIndex(_graph()), known_sources(DATA), name=str(file))
    if errors:
        fail(f"{len(errors)} problem(s):\n" + "\n".join(errors[:200]))
    typer.echo(f"{file}: {len(rows)} flows, no problem")


@flows_app.command("import")
def import_(file: Path = typer.Argument(..., help="An OD file: long (origin,destination,value[,date]) "
                                                  "or a matrix."),
            out: Path = OUT, year: int = YEAR, source_id: str = SOURCE,
            mode: str = typer.Option("migration", "--mode", help="migration (or air, rail)."),
            weight_unit: str = typer.Option(..., "--weight-unit",
                                            help="What the values are, e.g. share_pct or migration_index."),
            period: str = typer.Option("", "--period", help="e.g. 春运 2020-01-10..2020-02-18."),
            engine: str = typer.Option("pandas", "--engine",
                                       help="pandas (the reader), duckdb (streams large long "
                                            "files) or spark: the same pairs and errors.")):
    """Convert a 百度迁徙-style OD share/index file into a flow table."""
    from kg.flows import ENGINES, project_od
    from kg.model.resolve import PlaceIndex
    from kg.sources.migration import od_flow_rows

    if mode not in ("migration", "air", "rail"):
        fail(f"--mode {mode}: OD files are migration, air or rail flows (firm files: `citykg flows firms`)")
    _sources(source_id)
    if engine not in ENGINES:
        fail(f"--engine {engine}: expected one of {', '.join(ENGINES)}")
    g = _graph()
    result = project_od(file, PlaceIndex(g), engine=engine, name=str(file))
    errors = result.errors
    pairs = {(o, d): w for o, d, w in result.table.itertuples(index=False)}
    if errors:
        fail(f"{len(errors)} problem(s), nothing written:\n" + "\n".join(errors[:200]))
    _write(od_flow_rows(pairs, g, mode, weight_unit, year, period, source_id), out)


@flows_app.command()
def firms(file: Path = typer.Argument(..., help="A firm-linkage file (docs/firms.md)."),
          out: Path = OUT, year: int = YEAR, source_id: str = SOURCE):
    """Project a firm HQ–branch file to city pairs: a flow table of mode firm."""
    from kg.sources.migration import firm_flow_rows

    _sources(source_id)
    rejects = file.with_name(file.stem + ".rejects.csv")
    rows, stats = firm_flow_rows(file, _graph(), year, source_id, rejects_path=rejects)
    typer.echo(stats.summary())
    _write(rows, out)


@flows_app.command("derive-air")
def derive_air(openflights_data: Path = typer.Argument(..., help="OpenFlights' data/ folder (routes.dat)."),
               out: Path = typer.Option(None, "--out", help="Default: data/flows/air_openflights_2014.csv")):
    """Rebuild the air table from OpenFlights routes and data/flows/airports_cn.csv."""
    from kg.paths import DATA
    from kg.sources import air

    try:
        path, stats = air.derive_air(openflights_data, _graph(), DATA, out)
    except (ValueError, FileNotFoundError) as exc:
        fail(str(exc))
    typer.echo(f"wrote {stats['city_pairs']} city pairs ({stats['routes']} airline routes) to {path}")


@flows_app.command("derive-rail")
def derive_rail(schedulers: Path = typer.Argument(..., help="RailwayVIS json/schedulers.json."),
                out: Path = typer.Option(None, "--out", help="Default: data/flows/rail_railwayvis_2020.csv")):
    """Rebuild the rail table (trains per day between cities) from RailwayVIS timetables."""
    from kg.paths import DATA
    from kg.sources import rail

    path, unknown, pairs = rail.derive_rail(schedulers, _graph(), DATA, out)
    typer.echo(f"wrote {pairs} city pairs to {path}")
    if unknown:
        typer.echo("stop names matched to no city (their stops dropped): " +
                   ", ".join(f"{k} ({v})" for k, v in sorted(unknown.items())))
