"""The ``citykg`` command line: one typer app, one module per command group.

Each module under ``kg/cli/`` registers its commands on ``app`` and keeps the
heavy imports inside the command bodies, so ``citykg --help`` stays fast.
"""
from __future__ import annotations

import logging

import typer
from rich.logging import RichHandler

app = typer.Typer(
    name="citykg",
    help="A knowledge graph of China's city system: build it, load it into Neo4j, "
         "query, analyse and view it.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def main(verbose: bool = typer.Option(False, "--verbose", "-v", help="Log debug messages.")):
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO, format="%(message)s",
                        handlers=[RichHandler(show_path=False, markup=False)])


def fail(message: str, code: int = 1) -> None:
    """Print one clear error line (no stack trace) and exit."""
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


# Command groups register themselves on import.
from kg.cli import build as _build  # noqa: E402,F401
from kg.cli import neo4j as _neo4j  # noqa: E402,F401
from kg.cli import analyze as _analyze  # noqa: E402,F401
from kg.cli import extract as _extract  # noqa: E402,F401
from kg.cli import viz as _viz  # noqa: E402,F401
from kg.cli import report as _report  # noqa: E402,F401
from kg.cli import firms as _firms  # noqa: E402,F401
from kg.cli import flows as _flows  # noqa: E402,F401
