"""The curated layer: read every file under ``data/`` into the graph, or fail whole.

The format is described in ``data/README.md``. In short:

- ``sources.csv``: every document that a row cites (plans, reports, corpus articles);
- ``nodes/*.csv``: nodes that are not administrative units (clusters, metro circles, new
  areas, policies ...) and extra labels on places (a ``NewCenter`` district);
- ``relations/*.csv``: relationships, each with ``source_id`` and ``year``;
- ``statistics.csv`` and ``statistics/*.csv`` (optional): indicator values, each a
  ``Statistic`` node linked from its place (``kg.model.statistics``).

Loading runs in three steps, so that a bad file never leaves a half-loaded graph:
*read* (CSV rows with their file and line), *check* (resolve every place, validate
every value, collect every error) and only then *apply* (add to the graph).

>>> import tempfile, pathlib
>>> from kg.model.graph import new_graph, add_node
>>> g = new_graph(); add_node(g, "320100", ["Place", "City"], adcode="320100", name="南京市")
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "sources.csv").write_text(
...     "source_id,title,publisher,year,kind,url_or_ref,note\\n"
...     "policy:nj-plan-2021,南京都市圈发展规划,江苏省人民政府,2021,plan,,\\n", encoding="utf-8")
>>> (d / "nodes").mkdir(); (d / "relations").mkdir()
>>> _ = (d / "nodes" / "metro.csv").write_text(
...     "id,place,labels,name,name_en,aliases,source_id,source_title,year,quote,checked\\n"
...     "metro:nanjing,,MetroCircle,南京都市圈,Nanjing Metropolitan Circle,,"
...     "policy:nj-plan-2021,,2021,,false\\n", encoding="utf-8")
>>> _ = (d / "relations" / "core.csv").write_text(
...     "type,head,head_name,tail,tail_name,source_id,source_title,year,quote,checked\\n"
...     "CORE_OF,320100,南京市,metro:nanjing,南京都市圈,policy:nj-plan-2021,,2021,,false\\n",
...     encoding="utf-8")
>>> add_curated(g, d)
>>> [(u, v, e["year"]) for u, v, e in g.edges(data=True)]
[('320100', 'metro:nanjing', 2021)]
>>> _ = (d / "relations" / "bad.csv").write_text(
...     "type,head,head_name,tail,tail_name,source_id,source_title,year,quote,checked\\n"
...     "CORE_OF,鼓楼区,,metro:nanjing,,nowhere,,20x1,,false\\n", encoding="utf-8")
>>> g = new_graph(); add_node(g, "320100", ["Place", "City"], adcode="320100", name="南京市")
>>> try: add_curated(g, d)
... except CuratedDataError as exc: print(len(exc.errors), exc.errors[0])
3 relations/bad.csv:2: head: unknown place name '鼓楼区'
>>> len(g), g.number_of_edges()      # nothing was added
(1, 0)
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from kg.model import schema
from kg.model.graph import add_node, add_rel
from kg.model.resolve import AmbiguousPlace, PlaceIndex, PlaceError
from kg.model.statistics import add_statistic
from kg.sources.curated_rows import (NODE_COLUMNS, PROVENANCE_COLUMNS, REL_COLUMNS, SLUG, SOURCE_KINDS,
                                      CuratedDataError, Row, parse_value, parse_year, read_rows, row_props)


# --- step 2: check -------------------------------------------------------------------------

@dataclass
class NodeSpec:
    key: str
    labels: list[str]
    props: dict
    where: str
    is_place: bool = False


@dataclass
class RelSpec:
    type: str
    head: str
    tail: str
    props: dict
    where: str


@dataclass
class Curated:
    """Everything read from data/, checked and ready to apply."""
    sources: dict = field(default_factory=dict)       # source_id -> row cells
    nodes: list = field(default_factory=list)
    rels: list = field(default_factory=list)
    stats: list = field(default_factory=list)


class Checker:
    """Resolves references and validates rows; every problem goes to ``errors``."""

    def __init__(self, g, errors: list[str]):
        self.g, self.errors = g, errors
        self.index = PlaceIndex(g)
        self.sources: dict[str, dict] = {}
        self.planned_labels: dict[str, set[str]] = defaultdict(set)  # slug id -> labels

    def error(self, row: Row, reason: str) -> None:
        self.errors.append(f"{row.where}: {reason}")

    def source_id(self, row: Row) -> str | None:
        """The cited source as spelt in sources.csv (``x`` and ``policy:x`` are one source)."""
        sid = row.get("source_id")
        if not sid:
            self.error(row, "missing source_id")
            return None
        for candidate in (sid, f"policy:{sid}", sid.removeprefix("policy:")):
            if candidate in self.sources:
                return candidate
        self.error(row, f"source_id {sid!r} is not in sources.csv")
        return None

    def place(self, row: Row, column: str, ref: str, name: str = "", within=None) -> str | None:
        """The adcode a place reference names; checks that ``name`` agrees with it."""
        try:
            code = self.index.resolve(ref, within=within)
        except PlaceError as exc:
            self.error(row, f"{column}: {exc}")
            return None
        if name and not self.name_agrees(code, name):
            self.error(row, f"{column}: name {name!r} disagrees with adcode {code} "
                            f"({self.index.path(code)})")
            return None
        return code

    def name_agrees(self, code: str, name: str) -> bool:
        try:
            return self.index.resolve(name) == code
        except AmbiguousPlace as exc:
            return code in [c for c, _ in exc.candidates]
        except PlaceError:
            return False

    def ref(self, row: Row, column: str) -> str | None:
        """A node key: a slug id (contains ``:``) or a place reference."""
        ref, name = row.get(column), row.get(f"{column}_name")
        if not ref:
            self.error(row, f"missing {column}")
            return None
        if ":" in ref:
            if ref not in self.planned_labels and ref not in self.g:
                self.error(row, f"{column}: unknown node id {ref!r}")
                return None
            return ref
        return self.place(row, column, ref, name)

    def labels_of(self, key: str) -> set[str]:
        existing = set(self.g.nodes[key]["labels"]) if key in self.g else set()
        return existing | self.planned_labels.get(key, set())

    # -- sources.csv
    def check_sources(self, rows: list[Row]) -> dict:
        seen = Counter()
        for row in rows:
            sid = row.get("source_id")
            seen[sid] += 1
            if not sid:
                self.error(row, "missing source_id")
            elif seen[sid] > 1:
                self.error(row, f"duplicate source_id {sid!r}")
            if row.get("kind") not in SOURCE_KINDS:
                self.error(row, f"kind {row.get('kind')!r} is not one of {', '.join(SOURCE_KINDS)}")
            if row.get("year"):
                try:
                    parse_year(row.get("year"))
                except ValueError as exc:
                    self.error(row, str(exc))
            if not row.get("title"):
                self.error(row, "missing title")
            self.sources.setdefault(sid, row.cells)
            if sid and row.get("kind") == "article":  # becomes a Document node (MENTIONS can start there)
                self.planned_labels[document_id(sid)].add(schema.DOCUMENT)
        return self.sources

    # -- nodes/*.csv
    def plan_node_labels(self, rows: list[Row]) -> None:
        """First pass over node rows: which slug ids will exist, with which labels."""
        for row in rows:
            if row.get("id"):
                self.planned_labels[row.get("id")] |= set(parse_value("labels", row.get("labels")))

    def check_node(self, row: Row) -> NodeSpec | None:
        node_id, place = row.get("id"), row.get("place")
        labels = parse_value("labels", row.get("labels"))
        ok = True
        if bool(node_id) == bool(place):
            self.error(row, "give exactly one of id and place")
            ok = False
        if not labels:
            self.error(row, "missing labels")
            ok = False
        for label in labels:
            if label not in schema.LABELS:
                self.error(row, f"unknown label {label!r}")
                ok = False
        if node_id and not SLUG.fullmatch(node_id):
            self.error(row, f"id {node_id!r} is not a slug of the form kind:slug (ascii lowercase)")
            ok = False
        if node_id and not row.get("name"):
            self.error(row, "missing name")
            ok = False
        key = node_id or (place and self.place(row, "place", place, row.get("name")))
        props = row_props(row, ("id", "place", "labels", "source_id", *(("name",) if place else ())),
                          self.errors)
        sid = self.source_id(row)
        if "year" not in props and not row.get("year"):
            self.error(row, "missing year")
        if not (ok and key and sid):
            return None
        return NodeSpec(key, labels, {**props, "source_id": sid}, row.where, is_place=bool(place))

    # -- relations/*.csv
    def check_rel(self, row: Row) -> RelSpec | None:
        rel_type = row.get("type")
        if rel_type not in schema.REL_TYPES:
            self.error(row, f"unknown relationship type {rel_type!r}")
            return None
        head, tail = self.ref(row, "head"), self.ref(row, "tail")
        props = row_props(row, (*REL_COLUMNS, "source_id", "counties"), self.errors)
        sid = self.source_id(row)
        if not row.get("year"):
            self.error(row, "missing year")
        if head and row.get("counties"):
            props.update(self.counties(row, head))
        if row.get(schema.TIER):
            self.check_tier(row, rel_type)
        if not (head and tail and sid):
            return None
        src_ok, dst_ok = schema.REL_TYPES[rel_type]
        if not self.labels_of(head) & set(src_ok):
            self.error(row, f"{rel_type} cannot start at {head} {sorted(self.labels_of(head))}")
            return None
        if not self.labels_of(tail) & set(dst_ok):
            self.error(row, f"{rel_type} cannot end at {tail} {sorted(self.labels_of(tail))}")
            return None
        return RelSpec(rel_type, head, tail, {**props, "source_id": sid}, row.where)

    def check_tier(self, row: Row, rel_type: str) -> None:
        """A tier is the plan's own word for a member's ring: on MEMBER_OF only, in the quote."""
        tier, quote = row.get(schema.TIER), row.get("quote")
        if rel_type not in schema.TIERED_TYPES:
            self.error(row, f"tier {tier!r} on {rel_type}: only "
                            f"{', '.join(sorted(schema.TIERED_TYPES))} has a tier")
        elif not quote:
            self.error(row, f"tier {tier!r} needs the quote that names it")
        elif tier not in quote and tier not in _simplified(quote):
            self.error(row, f"tier {tier!r} is not in the quote (use the plan's own words)")

    def counties(self, row: Row, head: str) -> dict:
        """The named county-level parts of a partial member, resolved inside it."""
        names = parse_value("counties", row.get("counties"))
        codes = [self.place(row, "counties", name, within=head) for name in names]
        return {"counties": names, "county_adcodes": [c for c in codes if c]}


def _simplified(text: str) -> str:
    """``text`` in simplified script (a quote may be published in traditional script)."""
    import opencc

    global _T2S
    if _T2S is None:
        _T2S = opencc.OpenCC("t2s")
    return _T2S.convert(text)


_T2S = None


def find_duplicates(keyed: list[tuple], what: str, errors: list[str]) -> None:
    """Report every (key, where) pair whose key an earlier pair already had."""
    first: dict = {}
    for key, where in keyed:
        if key in first:
            errors.append(f"{where}: duplicate {what} {key} (first at {first[key]})")
        else:
            first[key] = where


def check_all(g, data_dir: Path) -> Curated:
    """Read and check every curated file; raise ``CuratedDataError`` listing all problems."""
    errors: list[str] = []
    checker = Checker(g, errors)
    out = Curated()
    if (data_dir / "sources.csv").exists():
        out.sources = checker.check_sources(
            read_rows(data_dir / "sources.csv", data_dir, ("source_id", "title", "kind"), errors))
    node_rows = [row for path in sorted((data_dir / "nodes").glob("*.csv"))
                 for row in read_rows(path, data_dir, NODE_COLUMNS[:3], errors)]
    checker.plan_node_labels(node_rows)
    out.nodes = [spec for row in node_rows if (spec := checker.check_node(row))]
    rel_rows = [row for path in sorted((data_dir / "relations").glob("*.csv"))
                for row in read_rows(path, data_dir, ("type", "head", "tail"), errors)]
    out.rels = [spec for row in rel_rows if (spec := checker.check_rel(row))]
    # statistics.csv and statistics/*.csv have their own cell-by-cell checker
    from kg.sources.statistics import check_statistics_files

    out.stats, stat_errors = check_statistics_files(data_dir, checker.index, set(out.sources))
    errors.extend(stat_errors)
    find_duplicates([((n.key, *n.labels) if n.is_place else n.key, n.where) for n in out.nodes],
                    "node", errors)
    find_duplicates([((r.type, r.head, r.tail, r.props["source_id"]), r.where) for r in out.rels],
                    "relationship (type, head, tail, source)", errors)
    if errors:
        raise CuratedDataError(errors)
    return out


# --- step 3: apply -------------------------------------------------------------------------

def document_id(source_id: str) -> str:
    """The Document node id of an article source: ``doc:`` + its file stem."""
    return "doc:" + Path(source_id).stem.lower()


PLACE_ROW_PROVENANCE = set(PROVENANCE_COLUMNS)


def apply(g, data: Curated) -> None:
    """Add checked curated data to the graph (cannot fail on checked input)."""
    for sid, src in data.sources.items():
        if src.get("kind") == "article":
            add_node(g, document_id(sid), [schema.DOCUMENT], id=document_id(sid), name=src.get("title"),
                     publisher=src.get("publisher"),
                     year=int(src["year"]) if src.get("year") else None,
                     url_or_ref=src.get("url_or_ref"), source_id=sid)
    for spec in data.nodes:
        props = spec.props
        if spec.is_place:  # the place keeps its own source; the added label's facts get theirs
            prefix = "_".join(spec.labels).lower()
            props = {(f"{prefix}_{k}" if k in PLACE_ROW_PROVENANCE else k): v
                     for k, v in props.items()}
        add_node(g, spec.key, spec.labels, **({} if spec.is_place else {"id": spec.key}), **props)
    for spec in data.rels:
        props = dict(spec.props)
        props.setdefault("source_title", data.sources[props["source_id"]].get("title"))
        add_rel(g, spec.head, spec.tail, spec.type, **props)
    for stat in data.stats:
        add_statistic(g, stat["adcode"], stat["indicator"], stat["year"], stat["value"], stat["unit"],
                      stat["source_id"], quote=stat.get("quote"), note=stat.get("note"))


def add_curated(g, data_dir: Path) -> None:
    """Load every file under ``data_dir`` into ``g``; all or nothing."""
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise FileNotFoundError(f"curated data folder {data_dir} does not exist")
    apply(g, check_all(g, data_dir))
