"""Read-only Cypher for researchers: run a query or a named cookbook query, print the rows.

Queries run in a READ transaction, so the server itself refuses any write; they run with a
time limit (the server ends the transaction); and ``check_confined`` refuses, before the server
is asked, ``LOAD CSV`` and procedure calls outside a short list of read-only catalogue procedures,
so a query can neither read files nor change the server's configuration.
Parameters come as ``k=v`` strings: integers and decimals become numbers, JSON
lists/objects/strings/true/false/null are parsed as JSON, anything else stays text.
Quote a value in JSON to keep digits as text (an adcode): ``code='"310107"'``.

>>> parse_param("k=3"), parse_param("share=0.5"), parse_param("name=南京市")
(('k', 3), ('share', 0.5), ('name', '南京市'))
>>> parse_param('codes=["320100","341100"]'), parse_param('code="310107"')
(('codes', ['320100', '341100']), ('code', '310107'))
"""
from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import NamedTuple

from kg import paths

NAME_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")


class QueryError(RuntimeError):
    """A query that cannot run; the message says why."""


def parse_param(text: str) -> tuple[str, object]:
    """``"k=v"`` -> ``("k", value)`` with value an int, float, JSON value or str."""
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
        raise QueryError(f"bad --param {text!r}: expected NAME=VALUE")
    if re.fullmatch(r"[+-]?\d+", raw):
        return key, int(raw)
    if re.fullmatch(r"[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?", raw):
        return key, float(raw)
    if (raw and raw[0] in '[{"') or raw in ("true", "false", "null"):
        try:
            return key, json.loads(raw)
        except json.JSONDecodeError as exc:
            raise QueryError(f"bad --param {key}: not valid JSON ({exc.msg} at column {exc.pos + 1})") from None
    return key, raw


def parse_params(items) -> dict:
    return dict(parse_param(item) for item in items or ())


# --- the cookbook -------------------------------------------------------------

def cookbook(folder: Path | None = None) -> dict[str, Path]:
    """Named queries: ``queries/<name>.cypher``."""
    folder = Path(folder or paths.QUERIES)
    return {p.stem: p for p in sorted(folder.glob("*.cypher"))} if folder.is_dir() else {}


def describe(path: Path) -> str:
    """The first comment line of a cookbook query (its one-line description)."""
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line.startswith("//"):
            return line.lstrip("/ ").strip()
        if line:
            break
    return ""


def resolve_query(text: str, folder: Path | None = None) -> str:
    """Cypher text for ``text``: a cookbook name becomes its file's content."""
    text = text.strip()
    if NAME_RE.fullmatch(text):
        queries = cookbook(folder)
        if text in queries:
            return queries[text].read_text(encoding="utf-8")
        names = ", ".join(queries) or "(none yet)"
        raise QueryError(f"no cookbook query named {text!r} in {folder or paths.QUERIES}; available: {names}")
    return text


PARAM_LINE = re.compile(r"^//\s*params:\s*(\w+)\s*\((string|integer|float)\b([^)]*?)e\.g\.\s*(.+)\)\s*$")


class Param(NamedTuple):
    """A declared cookbook parameter: its type, an example value, and whether it may be left out."""
    kind: str
    example: str
    optional: bool = False


def declared_params(cypher: str) -> dict[str, Param]:
    """The ``// params: name (type[, optional], e.g. example)`` header lines of a cookbook query.

    >>> declared_params("// params: top (integer, e.g. 10)\\nMATCH (n) RETURN n LIMIT $top")
    {'top': Param(kind='integer', example='10', optional=False)}
    >>> declared_params("// params: as_of (integer, optional, e.g. 2020)")["as_of"].optional
    True
    """
    found = {}
    for line in cypher.splitlines():
        if m := PARAM_LINE.match(line.strip()):
            found[m.group(1)] = Param(m.group(2), m.group(4).strip(), "optional" in m.group(3))
    return found


def check_params(declared: dict[str, tuple], params: dict) -> dict:
    """Check ``params`` against a query's declared ones; returns them typed as declared.

    A string parameter keeps digits as text (an adcode), an integer one refuses ``two``.
    An optional parameter that is not given is passed as null, which the query reads as
    "not asked" (the grouping queries: ``as_of`` and ``plan`` left out = every membership).

    >>> check_params({"place": ("string", "南京市")}, {"place": 310107})
    {'place': '310107'}
    >>> try: check_params({"top": ("integer", "10")}, {"top": "ten"})
    ... except QueryError as exc: print(exc)
    --param top must be an integer (e.g. 10), not 'ten'
    >>> spec = declared_params("// params: cluster (string, e.g. 长三角)\\n"
    ...                        "// params: as_of (integer, optional, e.g. 2020)")
    >>> check_params(spec, {"cluster": "长三角"})
    {'cluster': '长三角', 'as_of': None}
    >>> check_params(spec, {"cluster": "长三角", "as_of": 2017})
    {'cluster': '长三角', 'as_of': 2017}
    >>> try: check_params(spec, {"as_of": 2017})
    ... except QueryError as exc: print(exc)
    missing parameter(s) cluster; this query takes: cluster (string, e.g. 长三角), as_of (integer, optional, e.g. 2020)
    """
    if not declared:
        return params
    spec = {k: Param(*v) for k, v in declared.items()}
    usage = ", ".join(f"{k} ({p.kind}{', optional' if p.optional else ''}, e.g. {p.example})"
                      for k, p in spec.items())
    unknown = sorted(set(params) - set(spec))
    if unknown:
        raise QueryError(f"unknown parameter(s) {', '.join(unknown)}; this query takes: {usage}")
    missing = [k for k, p in spec.items() if k not in params and not p.optional]
    if missing:
        raise QueryError(f"missing parameter(s) {', '.join(missing)}; this query takes: {usage}")
    typed = {}
    for key, value in params.items():
        kind, example, optional = spec[key]
        if value is None and optional:
            typed[key] = None
        elif kind == "string" and not isinstance(value, (list, dict)) and value is not None:
            typed[key] = value if isinstance(value, str) else json.dumps(value) if isinstance(value, bool) else str(value)
        elif kind == "integer" and isinstance(value, int) and not isinstance(value, bool):
            typed[key] = value
        elif kind == "float" and isinstance(value, (int, float)) and not isinstance(value, bool):
            typed[key] = float(value)
        else:
            article = "an" if kind == "integer" else "a"
            raise QueryError(f"--param {key} must be {article} {kind} (e.g. {example}), not {value!r}")
    for key, p in spec.items():
        if key not in typed and p.optional:
            typed[key] = None
    return typed


# --- what a researcher's query may do ---------------------------------------------

# Read-only catalogue procedures (names in lower case); every other CALL is refused.
ALLOWED_PROCEDURES = frozenset({
    "db.labels", "db.relationshiptypes", "db.propertykeys", "db.schema.visualization",
    "db.schema.nodetypeproperties", "db.schema.reltypeproperties", "dbms.components",
})
_COMMENT_OR_STRING = re.compile(r"//[^\n]*|/\*.*?\*/|'(?:\\.|[^'\\])*'|\"(?:\\.|[^\"\\])*\"", re.S)
_LOAD_CSV = re.compile(r"\bLOAD\s+CSV\b", re.I)
_CALL = re.compile(r"\bCALL\s+(?![{(])((?:`[^`]*`|[A-Za-z_][\w$]*)(?:\s*\.\s*(?:`[^`]*`|[A-Za-z_][\w$]*))*)", re.I)


def check_confined(cypher: str) -> None:
    """Refuse ``LOAD CSV`` and procedures that are not read-only catalogue lookups.

    Comments and string literals are blanked first, so neither hides a clause nor trips the check.

    >>> check_confined("MATCH (n:City) WHERE n.name = 'LOAD CSV' RETURN n // CALL dbms.x()")
    >>> check_confined("CALL db.labels() YIELD label RETURN label")
    >>> check_confined("MATCH (n) CALL { WITH n RETURN 1 AS one } RETURN one")
    >>> for q in ("load /* x */ csv FROM 'file:///etc/passwd' AS l RETURN l",
    ...           "CALL `dbms`.`setConfigValue`('db.logs.query.enabled', 'OFF')"):
    ...     try: check_confined(q)
    ...     except QueryError as exc: print(str(exc)[:40])
    LOAD CSV is not allowed in `citykg query
    procedure dbms.setConfigValue is not all
    """
    text = _COMMENT_OR_STRING.sub(lambda m: " " if m.group(0)[0] == "/" else "''", cypher)
    if _LOAD_CSV.search(text):
        raise QueryError("LOAD CSV is not allowed in `citykg query` (it reads files and URLs); "
                         "bring data in through data/ and `citykg build`")
    for match in _CALL.finditer(text):
        name = re.sub(r"[`\s]", "", match.group(1))
        if name.lower() not in ALLOWED_PROCEDURES:
            raise QueryError(f"procedure {name} is not allowed in `citykg query`: only read-only "
                             f"catalogue procedures are ({', '.join(sorted(ALLOWED_PROCEDURES))})")


# --- running ------------------------------------------------------------------

DEFAULT_TIMEOUT = 60.0

def _plain(value):
    """Driver values -> JSON-friendly Python (nodes and relationships become dicts)."""
    from neo4j.graph import Node, Path as GraphPath, Relationship
    from neo4j.time import Date, DateTime, Duration, Time

    if isinstance(value, Node):
        return {"_labels": sorted(value.labels), **{k: _plain(v) for k, v in value.items()}}
    if isinstance(value, Relationship):
        return {"_type": value.type, **{k: _plain(v) for k, v in value.items()}}
    if isinstance(value, GraphPath):
        return [_plain(n) for n in value.nodes]
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (Date, DateTime, Time, Duration)):
        return str(value)
    return value


def run_read(driver, cypher: str, params: dict | None = None, database: str = "neo4j",
             notes: list[str] | None = None,
             timeout: float = DEFAULT_TIMEOUT) -> tuple[list[str], list[dict]]:
    """Run ``cypher`` in a read transaction that the server ends after ``timeout`` seconds;
    returns (column names, rows as dicts). ``check_confined`` runs first.

    The server's warnings (an unknown label, a cartesian product ...) are appended to
    ``notes`` as one-line texts when a list is given. Optional parameters the query's header
    declares and ``params`` lacks are passed as null (see ``check_params``).
    """
    from neo4j import unit_of_work
    from neo4j.exceptions import ClientError, Neo4jError

    cypher = cypher.strip().rstrip(";").strip()
    if not cypher:
        raise QueryError("empty query")
    if not timeout > 0:
        raise QueryError(f"--timeout must be a positive number of seconds, not {timeout}")
    check_confined(cypher)
    # optional header parameters that the caller left out are null ("not asked"), as in check_params
    params = {**{k: None for k, p in declared_params(cypher).items() if p.optional}, **(params or {})}

    @unit_of_work(timeout=timeout)
    def work(tx):
        result = tx.run(cypher, params or {})
        keys = list(result.keys())
        rows = [{k: _plain(v) for k, v in zip(keys, rec.values())} for rec in result]
        if notes is not None:
            notes.extend(f"{n.status_description}" for n in result.consume().gql_status_objects
                         if n.is_notification)
        return keys, rows

    try:
        with driver.session(database=database) as session:
            return session.execute_read(work)
    except ClientError as exc:
        if "TransactionTimedOut" in (exc.code or "") or "timed out" in (exc.message or "").lower():
            raise QueryError(f"the query ran longer than {timeout:g} s and the server stopped it; "
                             "give it more time with --timeout SECONDS, or narrow it") from None
        if exc.code == "Neo.ClientError.Statement.AccessMode" or "read access mode" in (exc.message or ""):
            raise QueryError("the server refused to write: `citykg query` runs read-only transactions "
                             f"({exc.message})") from None
        if exc.code == "Neo.ClientError.Statement.ParameterMissing":
            raise QueryError(f"{exc.message}; give each with --param NAME=VALUE") from None
        raise QueryError(f"Neo4j refused the query: {exc.message}") from None
    except Neo4jError as exc:
        raise QueryError(f"Neo4j error {exc.code}: {exc.message}") from None


# --- output -------------------------------------------------------------------

def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def to_csv(keys: list[str], rows: list[dict]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(keys)
    for row in rows:
        w.writerow([_cell(row[k]) for k in keys])
    return buf.getvalue()


def to_json(keys: list[str], rows: list[dict]) -> str:
    return json.dumps(rows, ensure_ascii=False, indent=2)


def to_table(keys: list[str], rows: list[dict]):
    """A rich Table (print it with rich's Console)."""
    from rich.table import Table

    table = Table(*keys)
    for row in rows:
        table.add_row(*(_cell(row[k]) for k in keys))
    return table
