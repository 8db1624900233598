"""``citykg analyze centrality | homogeneity | linkages``: networkx analyses and their reports."""
from __future__ import annotations

from pathlib import Path

import typer

from kg.cli import app, fail

analyze_app = typer.Typer(help="Centrality, homogeneity (产业同质化) and cross-region linkage "
                               "reports: Markdown + CSV + PNG figures.", no_args_is_help=True)
app.add_typer(analyze_app, name="analyze")

NETWORK_HELP = ("flows (default: every observed flow mode; see docs/flows.md), air, rail, migration, "
                "firm, gravity (modelled), or a structural network: county-adjacency, city-adjacency, "
                "comembership, spillover, place-industry, industry-similarity, combined")
BUILD = typer.Option(None, "--build", help="Read the graph from these build files (citykg build --out).")
NEO4J = typer.Option(False, "--neo4j", help="Read the graph from the Neo4j server (NEO4J_URI/USER/PASSWORD).")
SCOPE = typer.Option(None, "--scope", help="A province, city cluster or metro circle (e.g. 长三角, 南京都市圈, 江苏).")
OUT = typer.Option(Path("analysis"), "--out", help="Folder for the report files.")
TOP = typer.Option(15, "--top", min=1, help="How many hubs / rows to show.")
AS_OF = typer.Option(None, "--as-of", min=1949, max=2100,
                     help="Reference year of every scope filter: a grouping's members are those of "
                          "its latest plan in force that year (default: the latest year in the data).")
PLAN = typer.Option(None, "--plan", help="Scope a grouping by the member list of this one plan "
                                         "(e.g. policy:yrd-cluster-plan-2016).")


def _weights(text: str | None) -> dict | None:
    if not text:
        return None
    out = {}
    for part in text.split(","):
        key, sep, value = part.partition("=")
        try:
            out[key.strip()] = float(value)
        except ValueError:
            fail(f"--weights: {part!r} is not NAME=NUMBER (e.g. adjacency=1,spillover=2)")
        if not sep:
            fail(f"--weights: {part!r} is not NAME=NUMBER")
    return out


def _run(kind: str, build: Path | None, neo4j: bool, writer, as_of: int | None = None,
         plan: str | None = None, **kwargs) -> None:
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from kg.analysis.scope import EmptyScope, ScopeError, analysis_scope
    from kg.analysis.source import load_graph
    from kg.build import BuildError
    from kg.store.neo4j_server import ServerError

    from kg.store.outdir import OutputDirError, check_add, write_marker

    out = Path(kwargs["out"])
    try:
        check_add(out, "analysis")      # a new or empty folder, or an earlier analysis folder
    except OutputDirError as exc:
        fail(str(exc))
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  transient=True) as bar:
        task = bar.add_task("reading the graph", total=None)
        try:
            g = load_graph(build, neo4j, progress=lambda s: bar.update(task, description=s))
            bar.update(task, description=f"{kind} analysis")
            if as_of is not None or plan is not None:
                kwargs["scope"] = analysis_scope(g, kwargs.get("scope"), as_of, plan)
            written = writer(g, **kwargs)
        except (ScopeError, EmptyScope, ServerError, BuildError, FileNotFoundError, ValueError) as exc:
            fail(str(exc))
    write_marker(out, "analysis")
    title, page = written[0]
    typer.echo(f"{title}: {page}")
    typer.echo(f"{len(written) - 1} more files in {page.parent}")


@analyze_app.command("centrality")
def centrality_cmd(network: str = typer.Option("flows", "--network", help=NETWORK_HELP),
                   scope: str = SCOPE, build: Path = BUILD, neo4j: bool = NEO4J, out: Path = OUT,
                   top: int = TOP,
                   weights: str = typer.Option(None, "--weights", help="Combined-network weights, "
                                               "e.g. adjacency=1,comembership=0.5,spillover=2"),
                   engine: str = typer.Option("fast", "--engine", help="fast (igraph) or networkx"),
                   as_of: int = AS_OF, plan: str = PLAN):
    """Hubs: in/out strength, PageRank, betweenness, closeness, connectivity, composite rank.
    By default over the observed flows (per mode and combined), compared with GaWC 2020."""

    from kg.analysis.reports import write_centrality

    _run("centrality", build, neo4j, write_centrality, as_of, plan, out=out, network=network, scope=scope,
         top=top, engine=engine, weights=_weights(weights))


@analyze_app.command("homogeneity")
def homogeneity_cmd(network: str = typer.Option(
                        "place-industry", "--network",
                        help="place-industry (its similarity projection is derived from it)"),
                    scope: str = SCOPE, build: Path = BUILD, neo4j: bool = NEO4J, out: Path = OUT,
                    top: int = typer.Option(4, "--top", min=1, help="How many most common industries."),
                    samples: int = typer.Option(1000, "--samples", min=10, help="Null-model samples."),
                    seed: int = typer.Option(20240917, "--seed", help="Seed of null model and Louvain."),
                    threshold: float = typer.Option(0.5, "--threshold", help="Jaccard of a competition risk."),
                    rollup: bool = typer.Option(False, "--rollup", help="Count industries for their category too."),
                    as_of: int = AS_OF, plan: str = PLAN):
    """Industrial homogeneity: similarity, significance, clusters, risks, the corpus's claims."""
    from kg.analysis.reports import write_homogeneity

    if network not in ("place-industry", "industry-similarity"):
        fail(f"--network {network}: homogeneity runs on the place-industry graph and its "
             "similarity projection (place-industry or industry-similarity)")
    _run("homogeneity", build, neo4j, write_homogeneity, as_of, plan, out=out, scope=scope, top=top,
         samples=samples, seed=seed, threshold=threshold, rollup=rollup)


@analyze_app.command("linkages")
def linkages_cmd(scope: str = SCOPE, build: Path = BUILD, neo4j: bool = NEO4J, out: Path = OUT,
                 top: int = TOP, network: str = typer.Option(
                     "combined", "--network", help="Only 'combined' (the cluster matrix uses it)."),
                 weights: str = typer.Option(None, "--weights", help="Combined-network weights."),
                 as_of: int = AS_OF, plan: str = PLAN):
    """Cross-province / cross-cluster ties, cluster matrix, bridging places, spillover flows."""
    from kg.analysis.reports import write_linkages

    if network != "combined":
        fail(f"--network {network}: linkages use the combined network (tune it with --weights)")
    _run("linkages", build, neo4j, write_linkages, as_of, plan, out=out, scope=scope, top=top,
         weights=_weights(weights))


@analyze_app.command("spatial")
def spatial_cmd(indicator: str = typer.Option(
                    "planned_industries", "--indicator",
                    help="A numeric property of the city nodes (gdp_2024, population_2020, ...) or "
                         "planned_industries (industries planned by the city and its counties)."),
                scope: str = SCOPE, build: Path = BUILD, neo4j: bool = NEO4J, out: Path = OUT,
                top: int = TOP,
                permutations: int = typer.Option(999, "--permutations", min=9, help="Permutations."),
                seed: int = typer.Option(20240917, "--seed", help="Seed of the permutations."),
                as_of: int = AS_OF, plan: str = PLAN):
    """Spatial autocorrelation on city adjacency: Moran's I, LISA clusters, Gi* hot spots (maps)."""
    from kg.analysis.spatial_report import write_spatial

    _run("spatial", build, neo4j, write_spatial, as_of, plan, out=out, scope=scope,
         indicator=indicator, permutations=permutations, seed=seed, top=top)
