"""``citykg extract`` / ``citykg accept`` / ``citykg score``: candidate facts from documents.

    citykg extract FILE... [--out candidates.jsonl]   read documents, write candidates
    citykg accept REVIEWED.jsonl [--data DIR]          kept candidates -> data/ rows
    citykg score [--gold DIR]                          P/R/F1 against tests/gold/
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import typer

from kg.cli import app, fail


def _graph(data: Path | None, bar=None, task=None):
    from kg.extract.pipeline import light_graph
    from kg.paths import DATA

    if bar is not None:
        bar.update(task, description="loading the graph (names, aliases, curated layer)")
    return light_graph(data or DATA)


@app.command()
def extract(files: list[Path] = typer.Argument(..., help="Documents: .txt .md .html .pdf (UTF-8 text)."),
            out: Path = typer.Option(Path("candidates.jsonl"), "--out", "-o",
                                     help="Candidates file (JSONL) to write."),
            data: Path = typer.Option(None, "--data", help="Curated data folder (default: data/)."),
            encoding: str = typer.Option("utf-8", "--encoding",
                                         help="Encoding of text and HTML files (e.g. gbk)."),
            max_mb: float = typer.Option(100, "--max-mb", help="Refuse files larger than this."),
            min_confidence: float = typer.Option(0.0, "--min-confidence",
                                                 help="Leave out candidates below this confidence.")):
    """Read documents (simplified or traditional Chinese) into candidate facts, each with
    document, sentence, character offsets, pattern and confidence. The file is written only
    when every document was read: a bad file leaves no partial output."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from kg.extract.candidates import write_jsonl
    from kg.extract.pipeline import Extractor, source_years
    from kg.extract.readers import ReadError, read_document
    from kg.paths import DATA
    from kg.sources.curated import CuratedDataError

    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        fail(f"no such file: {', '.join(missing)}")
    with Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                  transient=True) as bar:
        task = bar.add_task("loading", total=None)
        try:
            g = _graph(data, bar, task)
        except (CuratedDataError, FileNotFoundError) as exc:
            fail(f"cannot load the graph: {exc}")
        extractor = Extractor(g, source_years=source_years(data or DATA))
        candidates, problems = [], []
        for f in files:
            try:
                doc = read_document(f, encoding=encoding, max_mb=max_mb)
            except ReadError as exc:
                problems.append(str(exc))
                continue
            bar.update(task, description=f"extracting {f.name}", total=len(doc.text), completed=0)
            candidates += extractor.extract_document(
                doc, progress=lambda pos: bar.update(task, completed=pos))
    if problems:
        fail("nothing written; fix or leave out these files:\n  " + "\n  ".join(problems))
    kept = [c for c in candidates if c.confidence >= min_confidence]
    n = write_jsonl(kept, out)
    typer.echo(f"{n} candidates from {len(files)} file(s) written to {out}")
    for rel_type, count in sorted(Counter(c.type for c in kept).items()):
        typer.echo(f"  {rel_type:<18}{count:>6}")
    typer.echo('review: set "decision" to "keep" or "drop" on each line, then run citykg accept')


@app.command()
def accept(reviewed: Path = typer.Argument(..., help="The candidates file with decisions."),
           data: Path = typer.Option(None, "--data", help="Curated data folder (default: data/)."),
           dry_run: bool = typer.Option(False, "--dry-run", help="Check and report, write nothing."),
           mentions: bool = typer.Option(False, "--mentions",
                                         help="Also accept MENTIONS (document -> entity) rows.")):
    """Turn kept candidates into curated rows (data/relations/accepted.csv, data/statistics.csv),
    each citing its document; accepting the same file twice adds nothing twice."""
    from kg.extract.accept import AcceptError, accept_file
    from kg.extract.candidates import CandidateFileError
    from kg.paths import DATA
    from kg.sources.curated import CuratedDataError

    if not reviewed.is_file():
        fail(f"no such file: {reviewed}")
    try:
        g = _graph(data)
        report = accept_file(reviewed, data or DATA, g, dry_run=dry_run, mentions=mentions)
    except (AcceptError, CandidateFileError, CuratedDataError, FileNotFoundError) as exc:
        fail(str(exc))
    verb = "would add" if dry_run else "added"
    typer.echo(f"{verb} {report.relations} relationship(s) and {report.statistics} statistic(s); "
               f"{len(report.skipped)} already there, {report.dropped} dropped, "
               f"{report.undecided} without a decision")
    for sid in report.sources:
        typer.echo(f"  {verb} source {sid} to sources.csv")
    # "already in relations/specializations.csv:12" -> one line per file
    reasons = Counter(why.rsplit(":", 1)[0] if why.startswith("already in") else
                      "already in statistics.csv" if why.startswith("statistics.csv already") else why
                      for _, why in report.skipped)
    for why, n in reasons.most_common():
        typer.echo(f"  skipped {n}: {why}")


@app.command()
def score(gold: Path = typer.Option(None, "--gold", help="Folder of gold files (default tests/gold)."),
          corpus: Path = typer.Option(None, "--corpus", help="Folder of the documents."),
          data: Path = typer.Option(None, "--data", help="Curated data folder (default: data/)."),
          threshold: float = typer.Option(0.5, "--threshold", help="Minimum candidate confidence."),
          devset: bool = typer.Option(False, "--devset", help="Score the development set "
                                      "(CITYKG_DEVSET, gold in tests/gold/devset)."),
          split: str = typer.Option(None, "--split", help="Devset split: tune or held (default: all)."),
          bands: bool = typer.Option(False, "--bands", help="Also print precision by confidence band.")):
    """Extract the gold documents and print precision, recall and F1 per relation type."""
    from kg.extract.score import bands_of, format_bands, format_scores, score_corpus
    from kg.paths import CORPUS, DATA, DEVSET, REPO

    gold_dir = gold or (REPO / "tests" / "gold" / "devset" if devset else REPO / "tests" / "gold")
    folder = corpus or (DEVSET if devset else CORPUS)
    if folder is None or not Path(folder).is_dir():
        fail(f"{folder} not found: set {'CITYKG_DEVSET' if devset else 'CITYKG_CORPUS'} "
             f"or pass --corpus")
    try:
        g = _graph(data)
        scores = score_corpus(g, gold_dir, folder, data_dir=data or DATA, threshold=threshold,
                              split=split, devset=devset)
        typer.echo(format_scores(scores))
        if bands:
            typer.echo("")
            typer.echo(format_bands(bands_of(g, gold_dir, folder, data or DATA, split, devset)))
    except (FileNotFoundError, ValueError) as exc:
        fail(str(exc))
