"""Messy input, reader by reader: every malformed file or argument ends in a clear message
naming the file, line and field (or in a reject row), and leaves the graph as it was.

One table, ``CASES``: each case is a reader, the bytes (or arguments) it gets, and a regular
expression the message must match. The readers:

- ``curated``: a data folder (``kg.sources.curated.add_curated``) with one bad file;
- ``statistics``: ``data/statistics.csv`` read through the same reader;
- ``firms``: a firm-linkage file (``kg.sources.firms.FirmReader``): bad rows become rejects;
- ``document``: a document for extraction (``kg.extract.readers.read_document``);
- ``cli``: ``citykg`` arguments, including damaged build folders given to ``citykg load``.

The session ends with a line ``bad-input cases: N tried, N passed``.
"""
from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.cli import app

INJECTION = "'}) DETACH DELETE n //"
LONG = 200_000            # characters: over csv's 128 KiB cell limit
DEAD_URI = "bolt://127.0.0.1:1"   # nothing listens: a load that got as far as connecting would say so

# --- a small, valid data folder; each case replaces one file -------------------------------

SOURCES = ("source_id,title,publisher,year,kind,url_or_ref,note\n"
           "policy:test-plan-2021,南京都市圈发展规划,江苏省人民政府,2021,plan,,\n")
NODE_HEAD = "id,place,labels,name,name_en,aliases,source_id,source_title,year,quote,checked\n"
METRO = "metro:test-nanjing,,MetroCircle,南京都市圈,Nanjing,宁镇扬,policy:test-plan-2021,,2021,,false\n"
REL_HEAD = "type,head,head_name,tail,tail_name,output_value,valid_to,source_id,source_title,year,quote,checked\n"
REL_TAIL = "metro:test-nanjing,南京都市圈,,,policy:test-plan-2021,,2021,,false\n"
CORE = "CORE_OF,320100,南京市," + REL_TAIL
STATS_HEAD = "adcode,year,indicator,value,unit,source_id,quote\n"
GDP = "320100,2020,gdp,14817.95,亿元,policy:test-plan-2021,\n"
GOOD = {"sources.csv": SOURCES, "nodes/metro.csv": NODE_HEAD + METRO, "relations/rels.csv": REL_HEAD + CORE,
        "statistics.csv": STATS_HEAD + GDP}


def rel(head: str, head_name: str = "", type_: str = "MEMBER_OF", tail: str = REL_TAIL) -> str:
    return f"{type_},{head},{head_name},{tail}"


def utf8(text: str) -> bytes:
    return text.encode("utf-8")


BOM = b"\xef\xbb\xbf"

# --- a tiny build folder (what `citykg build` writes) for `citykg load` / `citykg viz` -----

BUILD_NODES = ("key,labels,adcode:string,name:string,year:int\n"
               "320000,Place;Province,320000,江苏省,\n"
               "320100,Place;City,320100,南京市,\n"
               "320106,Place;County,320106,鼓楼区,\n"
               "350000,Place;Province,350000,福建省,\n"
               "350100,Place;City,350100,福州市,\n"
               "350102,Place;County,350102,鼓楼区,\n")
BUILD_RELS = ("start,end,type,key,derived_from:string\n"
              "320100,320000,BELONGS_TO,BELONGS_TO,adcode\n"
              "320106,320100,BELONGS_TO,BELONGS_TO,adcode\n"
              "350100,350000,BELONGS_TO,BELONGS_TO,adcode\n"
              "350102,350100,BELONGS_TO,BELONGS_TO,adcode\n")
GOOD_BUILD = {"nodes.csv": BUILD_NODES, "relationships.csv": BUILD_RELS}


@dataclass
class Case:
    id: str
    reader: str                      # curated / statistics / firms / document / cli
    input: object                    # {file: bytes|str|None} or a list of CLI arguments
    expect: str                      # regex the message (or a reject's "line: reason") must match
    kinds: set = field(default_factory=set)
    options: dict = field(default_factory=dict)
    marks: tuple = ()


FIRM_HEAD = "firm_id,firm_name,industry,hq_adcode,branch_adcode,year,capital\n"
FIRM = "F1,甲公司,制造业,310000,320100,2019,100\n"


def firm(**cells) -> str:
    row = dict(zip(FIRM_HEAD.strip().split(","), "F2,乙公司,制造业,310000,320200,2020,50".split(",")))
    row.update(cells)
    return ",".join(row.values()) + "\n"


CASES = [
    # ---- curated data files ----------------------------------------------------------------
    Case("curated-gbk", "curated", {"relations/rels.csv": (REL_HEAD + CORE).encode("gbk")},
         r"relations/rels\.csv:2: the file is not UTF-8 \(it decodes as GBK", {"gbk"}),
    Case("curated-utf16", "curated", {"nodes/metro.csv": (NODE_HEAD + METRO).encode("utf-16")},
         r"nodes/metro\.csv:1: the file is UTF-16", {"encoding"}),
    Case("curated-bom-then-bad-label", "curated",
         {"nodes/metro.csv": BOM + utf8(NODE_HEAD + METRO + METRO.replace("metro:test-nanjing,,MetroCircle",
                                                                         "metro:test-x,,Metro"))},
         r"nodes/metro\.csv:3: unknown label 'Metro'", {"bom"}),
    Case("curated-missing-column", "curated",
         {"relations/rels.csv": "type,head,head_name,source_id,year\nCORE_OF,320100,南京市,policy:test-plan-2021,2021\n"},
         r"relations/rels\.csv:1: missing column\(s\) tail", {"missing-column"}),
    Case("curated-extra-cells", "curated", {"relations/rels.csv": REL_HEAD + CORE + CORE.strip() + ",x,y\n"},
         r"relations/rels\.csv:3: more cells than header columns", {"extra-column"}),
    Case("curated-empty-file", "curated", {"relations/rels.csv": ""},
         r"relations/rels\.csv:1: missing column\(s\) type, head, tail", {"empty"}),
    Case("curated-duplicate-node", "curated", {"nodes/metro.csv": NODE_HEAD + METRO + METRO},
         r"nodes/metro\.csv:3: duplicate node metro:test-nanjing \(first at nodes/metro\.csv:2\)", {"duplicate"}),
    Case("curated-duplicate-relationship", "curated", {"relations/rels.csv": REL_HEAD + CORE + CORE},
         r"relations/rels\.csv:3: duplicate relationship", {"duplicate"}),
    Case("curated-duplicate-source", "curated", {"sources.csv": SOURCES + SOURCES.splitlines()[1] + "\n"},
         r"sources\.csv:3: duplicate source_id 'policy:test-plan-2021'", {"duplicate"}),
    Case("curated-unknown-place", "curated", {"relations/rels.csv": REL_HEAD + rel("南京府")},
         r"relations/rels\.csv:2: head: unknown place name '南京府'; closest names: 南京", {"unknown-place"}),
    Case("curated-ambiguous-gulou", "curated", {"relations/rels.csv": REL_HEAD + rel("鼓楼区")},
         r"relations/rels\.csv:2: head: '鼓楼区' is ambiguous: 320106 江苏省南京市鼓楼区, 320302 江苏省徐州市鼓楼区, "
         r"350102 福建省福州市鼓楼区, 410204 河南省开封市鼓楼区; give an adcode or a parent", {"ambiguous-place"}),
    Case("curated-ambiguous-chaoyang", "curated", {"relations/rels.csv": REL_HEAD + rel("朝阳区")},
         r"head: '朝阳区' is ambiguous: 110105 北京市朝阳区, 220104 吉林省长春市朝阳区", {"ambiguous-place"}),
    Case("curated-adcode-not-a-unit", "curated", {"relations/rels.csv": REL_HEAD + rel("999999")},
         r"relations/rels\.csv:2: head: adcode 999999 is not an administrative unit", {"unknown-place"}),
    Case("curated-name-disagrees", "curated", {"relations/rels.csv": REL_HEAD + rel("320100", "苏州市")},
         r"relations/rels\.csv:2: head: name '苏州市' disagrees with adcode 320100", {"unknown-place"}),
    Case("curated-year-1800", "curated",
         {"relations/rels.csv": REL_HEAD + CORE.replace(",2021,", ",1800,")},
         r"relations/rels\.csv:2: malformed year '1800' \(an integer in 1949\.\.2100\)", {"year-range"}),
    Case("curated-valid-to-2200", "curated",
         {"relations/rels.csv": REL_HEAD + CORE.replace("南京都市圈,,,", "南京都市圈,,2200,")},
         r"relations/rels\.csv:2: malformed year '2200'", {"year-range"}),
    Case("curated-nan-value", "curated",
         {"relations/rels.csv": REL_HEAD + CORE.replace("南京都市圈,,,", "南京都市圈,NaN,,")},
         r"relations/rels\.csv:2: output_value 'NaN' is not a number", {"nan"}),
    Case("curated-overlong-cell", "curated",
         {"relations/rels.csv": REL_HEAD + CORE + CORE.replace(",2021,,", ",2021," + "长" * LONG + ",")},
         r"relations/rels\.csv:3: field larger than field limit \(131072\) \(an unclosed quote\?\)", {"long-field"}),
    Case("curated-overlong-place", "curated", {"relations/rels.csv": REL_HEAD + rel("南" * 5000)},
         r"relations/rels\.csv:2: head: unknown place name '南{20}'\.\.\. \(5000 characters\)$", {"long-field"}),
    Case("curated-injection-type", "curated", {"relations/rels.csv": REL_HEAD + rel("320100", type_=INJECTION)},
         r"relations/rels\.csv:2: unknown relationship type \"'}\) DETACH DELETE n //\"", {"injection"}),
    Case("curated-injection-label", "curated",
         {"nodes/metro.csv": NODE_HEAD + METRO.replace(",MetroCircle,", f",{INJECTION},")},
         r"nodes/metro\.csv:2: unknown label \"'}\) DETACH DELETE n //\"", {"injection"}),
    Case("curated-injection-id", "curated",
         {"nodes/metro.csv": NODE_HEAD + METRO + METRO.replace("metro:test-nanjing", "metro:x" + INJECTION)},
         r"nodes/metro\.csv:3: id \"metro:x'}\) DETACH DELETE n //\" is not a slug", {"injection"}),
    Case("curated-injection-place", "curated", {"relations/rels.csv": REL_HEAD + rel(INJECTION)},
         r"relations/rels\.csv:2: head: unknown place name 'n' \(in \"'}\) DETACH DELETE n //\"\)", {"injection"}),
    Case("curated-unknown-source", "curated",
         {"relations/rels.csv": REL_HEAD + CORE.replace("policy:test-plan-2021", "nowhere")},
         r"relations/rels\.csv:2: source_id 'nowhere' is not in sources\.csv", {"reference"}),
    Case("curated-unknown-node-id", "curated",
         {"relations/rels.csv": REL_HEAD + CORE.replace("metro:test-nanjing", "metro:nowhere")},
         r"relations/rels\.csv:2: tail: unknown node id 'metro:nowhere'", {"reference"}),
    Case("curated-endpoint-not-allowed", "curated",
         {"relations/rels.csv": REL_HEAD + rel("320106", type_="CORE_OF")},
         r"relations/rels\.csv:2: CORE_OF cannot start at 320106 \['County', 'Place'\]", {"reference"}),
    Case("curated-checked-maybe", "curated",
         {"relations/rels.csv": REL_HEAD + CORE.replace(",false\n", ",maybe\n")},
         r"relations/rels\.csv:2: checked must be true or false, not 'maybe'", {"type"}),

    # ---- data/statistics.csv ---------------------------------------------------------------
    Case("stats-gbk", "statistics", {"statistics.csv": (STATS_HEAD + GDP).encode("gbk")},
         r"statistics\.csv:2: the file is not UTF-8 \(it decodes as GBK", {"gbk"}),
    Case("stats-bom-then-bad-year", "statistics",
         {"statistics.csv": BOM + utf8(STATS_HEAD + GDP + GDP.replace("2020", "20x4"))},
         r"statistics\.csv:3: malformed year '20x4'", {"bom"}),
    Case("stats-missing-column", "statistics",
         {"statistics.csv": STATS_HEAD.replace("unit,", "") + GDP.replace("亿元,", "")},
         r"statistics\.csv:1: missing column\(s\) unit", {"missing-column"}),
    Case("stats-extra-column", "statistics",
         {"statistics.csv": STATS_HEAD.strip() + ",colour\n" + GDP.strip() + ",red\n"},
         r"statistics\.csv:1: unknown column\(s\) colour", {"extra-column"}),
    Case("stats-empty-file", "statistics", {"statistics.csv": ""},
         r"statistics\.csv:1: missing column\(s\) adcode, year", {"empty"}),
    Case("stats-duplicate-key", "statistics", {"statistics.csv": STATS_HEAD + GDP + GDP},
         r"statistics\.csv:3: duplicate statistic \('320100', 2020, 'gdp'\) \(first at line 2\)", {"duplicate"}),
    Case("stats-name-for-adcode", "statistics", {"statistics.csv": STATS_HEAD + GDP.replace("320100", "南京市")},
         r"statistics\.csv:2: adcode '南京市' is not a 6-digit GB/T 2260 code \(did you mean 320100\?\)",
         {"unknown-place"}),
    Case("stats-ambiguous-name", "statistics", {"statistics.csv": STATS_HEAD + GDP.replace("320100", "普陀区")},
         r"statistics\.csv:2: adcode '普陀区' is not a 6-digit GB/T 2260 code \('普陀区' is ambiguous: "
         r"310107 上海市普陀区, 330903 浙江省舟山市普陀区", {"ambiguous-place"}),
    Case("stats-unknown-adcode", "statistics", {"statistics.csv": STATS_HEAD + GDP.replace("320100", "999999")},
         r"statistics\.csv:2: adcode 999999: adcode 999999 is not an administrative unit", {"unknown-place"}),
    Case("stats-year-1900", "statistics", {"statistics.csv": STATS_HEAD + GDP.replace("2020", "1900")},
         r"statistics\.csv:2: malformed year '1900'", {"year-range"}),
    Case("stats-negative-gdp", "statistics", {"statistics.csv": STATS_HEAD + GDP.replace("14817.95", "-3")},
         r"statistics\.csv:2: value -3 is negative, but gdp cannot be", {"negative"}),
    Case("stats-nan", "statistics", {"statistics.csv": STATS_HEAD + GDP.replace("14817.95", "NaN")},
         r"statistics\.csv:2: value 'NaN' is not a number", {"nan"}),
    Case("stats-inf", "statistics", {"statistics.csv": STATS_HEAD + GDP.replace("14817.95", "inf")},
         r"statistics\.csv:2: value 'inf' is not a number", {"nan"}),
    Case("stats-share-over-100", "statistics",
         {"statistics.csv": STATS_HEAD + "320100,2020,tertiary_share,150,%,policy:test-plan-2021,\n"},
         r"statistics\.csv:2: value 150 of tertiary_share is a share in % and must lie in 0\.\.100", {"range"}),
    Case("stats-injection-indicator", "statistics",
         {"statistics.csv": STATS_HEAD + GDP.replace("gdp", "gdp" + INJECTION.replace("'", ""))},
         r"statistics\.csv:2: indicator 'gdp}\) DETACH DELETE n //' must be snake_case", {"injection"}),
    Case("stats-overlong-quote", "statistics",
         {"statistics.csv": STATS_HEAD + GDP.strip() + "x" * LONG + "\n"},
         r"statistics\.csv:2: field larger than field limit", {"long-field"}),

    # ---- firm-linkage files ----------------------------------------------------------------
    Case("firms-gbk-row", "firms", (FIRM_HEAD + firm(firm_name="乙公司")).encode("gbk"),
         r"^2: not valid UTF-8$", {"gbk"}),
    Case("firms-bom-then-unknown-branch", "firms", BOM + utf8(FIRM_HEAD + FIRM + firm(branch_adcode="999999")),
         r"^3: unknown branch_adcode 999999$", {"bom"}),
    Case("firms-utf16", "firms", (FIRM_HEAD + FIRM).encode("utf-16"),
         r"firms\.csv, line 1: the file is UTF-16", {"encoding"}),
    Case("firms-missing-column", "firms", utf8(FIRM_HEAD.replace("branch_adcode,", "") + "F1,甲,制造业,310000,2019,1\n"),
         r"firms\.csv, line 1: missing column\(s\) branch_adcode", {"missing-column"}),
    Case("firms-extra-field", "firms", utf8(FIRM_HEAD + FIRM + firm().strip() + ",surplus\n"),
         r"^3: expected 7 fields, found 8$", {"extra-column"}),
    Case("firms-empty-file", "firms", b"", r"firms\.csv: empty file \(no header row\)", {"empty"}),
    Case("firms-duplicate-pair", "firms", utf8(FIRM_HEAD + FIRM + FIRM),
         r"^3: duplicate of line 2 \(same firm_id and branch_adcode\)$", {"duplicate"}),
    Case("firms-duplicate-column", "firms", utf8(FIRM_HEAD.strip() + ",year\n" + FIRM.strip() + ",2019\n"),
         r"firms\.csv, line 1: column\(s\) year given twice", {"duplicate"}),
    Case("firms-conflicting-firm", "firms", utf8(FIRM_HEAD + FIRM + firm(firm_id="F1", industry="金融业")),
         r"^3: firm_id F1 is used at line 2 with another firm_name, industry or hq_adcode$", {"duplicate"}),
    Case("firms-province-code", "firms", utf8(FIRM_HEAD + FIRM + firm(branch_adcode="320000")),
         r"^3: branch_adcode 320000 is a province; give the city or county$", {"unknown-place"}),
    Case("firms-year-1800", "firms", utf8(FIRM_HEAD + FIRM + firm(year="1800")),
         r"^3: year 1800 is not a year in 1949\.\.2100$", {"year-range"}),
    Case("firms-negative-capital", "firms", utf8(FIRM_HEAD + FIRM + firm(capital="-5")),
         r"^3: capital -5 is not a non-negative number$", {"negative"}),
    Case("firms-nan-capital", "firms", utf8(FIRM_HEAD + FIRM + firm(capital="NaN")),
         r"^3: capital NaN is not a non-negative number$", {"nan"}),
    Case("firms-inf-capital", "firms", utf8(FIRM_HEAD + FIRM + firm(capital="inf")),
         r"^3: capital inf is not a non-negative number$", {"nan"}),
    Case("firms-overlong-name", "firms", utf8(FIRM_HEAD + FIRM + firm(firm_name="乙" * LONG, branch_adcode="999999")),
         r"^3: unknown branch_adcode 999999$", {"long-field"}),
    Case("firms-injection-adcode", "firms", utf8(FIRM_HEAD + FIRM + firm(hq_adcode=INJECTION)),
         r"^3: unknown hq_adcode '}\) DETACH DELETE n //$", {"injection"}),
    Case("firms-cut-off", "firms", utf8(FIRM_HEAD + FIRM + firm().rstrip("\n")),
         r"^3: last line has no line break \(file cut off\?\)$", {"truncated"}),

    # ---- documents -------------------------------------------------------------------------
    Case("doc-gbk", "document", {"a.txt": "南京都市圈\n是一个都市圈。".encode("gbk")},
         r"a\.txt: line 1: not valid utf-8 .*it decodes as GBK/GB18030: pass --encoding gbk", {"gbk"}),
    Case("doc-utf16", "document", {"a.txt": "南京都市圈".encode("utf-16")},
         r"a\.txt: line 1: not valid utf-8", {"encoding"}),
    Case("doc-empty", "document", {"a.txt": b""}, r"a\.txt: the file is empty", {"empty"}),
    Case("doc-blank", "document", {"a.md": b" \n\n\t\n"}, r"a\.md: the file is empty", {"empty"}),
    Case("doc-binary", "document", {"a.txt": b"\x00\x01\x02abc"}, r"a\.txt: binary file \(NUL bytes\)", {"type"}),
    Case("doc-broken-pdf", "document", {"a.pdf": b"%PDF-1.4 garbage"}, r"a\.pdf: not a readable PDF", {"type"}),
    Case("doc-html-without-text", "document", {"a.html": utf8("<html><nav>首页 | 关于</nav></html>")},
         r"a\.html: no text found in this html file", {"empty"}),
    Case("doc-too-large", "document", {"a.txt": b"x" * 20_000}, r"a\.txt: .*larger than the 0\.01 MB limit.*--max-mb",
         {"long-field"}, {"max_mb": 0.01}),
    Case("doc-unknown-encoding", "document", {"a.txt": b"abc"}, r"unknown encoding 'klingon'", {"encoding"},
         {"encoding": "klingon"}),

    # ---- citykg arguments ------------------------------------------------------------------
    Case("cli-query-nothing", "cli", ["query"], r"error: give a Cypher query or a cookbook query name", {"argument"}),
    Case("cli-query-format", "cli", ["query", "RETURN 1", "--format", "xml"],
         r"error: --format must be table, csv or json, not 'xml'", {"argument"}),
    Case("cli-query-param-json", "cli", ["query", "RETURN $x", "--param", "x=[1,"],
         r"error: bad --param x: not valid JSON", {"argument"}),
    Case("cli-query-param-name", "cli", ["query", "RETURN 1", "--param", "1x=2"],
         r"error: bad --param '1x=2': expected NAME=VALUE", {"argument"}),
    Case("cli-query-unknown-cookbook", "cli", ["query", "cluster_membrs"],
         r"error: no cookbook query named 'cluster_membrs'", {"argument"}),
    Case("cli-load-batch-size-0", "cli", ["load", "--batch-size", "0"],
         r"Invalid value for '--batch-size'", {"argument", "negative"}),
    Case("cli-load-negative-retry", "cli", ["load", "--retry-seconds", "-1"],
         r"Invalid value for '--retry-seconds'", {"argument", "negative"}),
    Case("cli-load-no-build", "cli", ["load", "--build", "{tmp}/nowhere"],
         r"error: .*/nowhere: not a build folder \(no nodes\.csv\)", {"argument"}),
    Case("cli-load-build-gbk", "cli-load", {"nodes.csv": BUILD_NODES.encode("gbk")},
         r"error: .*nodes\.csv: not UTF-8 \(byte \d+\); run `citykg build` again", {"gbk"}),
    Case("cli-load-build-empty", "cli-load", {"nodes.csv": ""},
         r"error: .*nodes\.csv:1: header must start with key,labels", {"empty"}),
    Case("cli-load-build-missing-file", "cli-load", {"relationships.csv": None},
         r"error: .*relationships\.csv: missing; run `citykg build` again", {"missing-column"}),
    Case("cli-load-build-untyped-column", "cli-load", {"nodes.csv": BUILD_NODES.replace("name:string", "name")},
         r"error: .*nodes\.csv:1: column\(s\) name lack a type", {"missing-column"}),
    Case("cli-load-build-extra-cell", "cli-load", {"nodes.csv": BUILD_NODES + "320200,Place;City,320200,无锡市,,x\n"},
         r"error: .*nodes\.csv:8: 6 cells, the header has 5", {"extra-column"}),
    Case("cli-load-build-bad-int", "cli-load", {"nodes.csv": BUILD_NODES + "320200,Place;City,320200,无锡市,二〇二〇\n"},
         r"error: .*nodes\.csv:8: year: '二〇二〇' is not a int", {"type"}),
    Case("cli-load-build-duplicate-node", "cli-load", {"nodes.csv": BUILD_NODES + "320100,Place;City,320100,南京,\n"},
         r"error: .*nodes\.csv:8: node 320100 is given twice", {"duplicate"}),
    Case("cli-load-build-injection-label", "cli-load",
         {"nodes.csv": BUILD_NODES + f"320200,Place;{INJECTION},320200,无锡市,\n"},
         r"error: .*nodes\.csv:8: unknown label\(s\) \"'}\) DETACH DELETE n //\"", {"injection"}),
    Case("cli-load-build-injection-type", "cli-load",
         {"relationships.csv": BUILD_RELS + f"320106,350102,{INJECTION},x,\n"},
         r"error: .*relationships\.csv:6: unknown relationship type \"'}\) DETACH DELETE n //\"", {"injection"}),
    Case("cli-load-build-unknown-end", "cli-load",
         {"relationships.csv": BUILD_RELS + "999999,320100,BELONGS_TO,BELONGS_TO,adcode\n"},
         r"error: .*relationships\.csv:6: relationship end '999999' is not in nodes\.csv", {"unknown-place"}),
    Case("cli-viz-ambiguous-scope", "cli", ["viz", "--build", "{build}", "--scope", "鼓楼区", "--out", "{tmp}/v.html"],
         r"error: scope '鼓楼区' is ambiguous: 320106 江苏省南京市鼓楼区, 350102 福建省福州市鼓楼区", {"ambiguous-place"}),
    Case("cli-viz-unknown-scope", "cli", ["viz", "--build", "{build}", "--scope", "南京府", "--out", "{tmp}/v.html"],
         r"error: no scope named '南京府'", {"unknown-place"}),
    Case("cli-viz-size-by", "cli", ["viz", "--size-by", INJECTION],
         r"error: --size-by \"'}\) DETACH DELETE n //\" is not a centrality", {"injection", "argument"}),
    Case("cli-extract-missing-file", "cli", ["extract", "{tmp}/nowhere.txt", "--out", "{tmp}/c.jsonl"],
         r"error: no such file: .*/nowhere\.txt", {"argument"}),
    Case("cli-restore-missing-dump", "cli", ["restore", "{tmp}/nowhere.dump"],
         r"error: .*/nowhere\.dump: no such dump file", {"argument"}),
    Case("cli-query-write-refused", "cli", ["query", "MATCH (n) DETACH DELETE n"],
         r"error: the server refused to write: `citykg query` runs read-only transactions",
         {"injection"}, marks=(pytest.mark.neo4j,)),
    Case("cli-query-injection-text", "cli", ["query", INJECTION],
         r"error: Neo4j refused the query: Failed to parse string literal", {"injection"},
         marks=(pytest.mark.neo4j,)),
]

REQUIRED_KINDS = {"gbk", "bom", "missing-column", "extra-column", "empty", "duplicate", "unknown-place",
                  "ambiguous-place", "year-range", "negative", "nan", "long-field", "injection"}
TALLY = {"tried": 0, "passed": 0}


# --- fixtures -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def places_graph():
    """Every administrative unit with its parent (the backbone without boundary adjacency,
    which the readers do not use): quick to make, and what place names resolve against."""
    from kg.model import schema
    from kg.model.graph import add_node, add_rel, new_graph
    from kg.sources.admin import read_units

    g = new_graph()
    units = read_units()
    for u in units:
        add_node(g, u.adcode, u.labels, adcode=u.adcode, name=u.name)
    for u in units:
        if u.parent:
            add_rel(g, u.adcode, u.parent, schema.BELONGS_TO, derived_from="adcode")
    return g


@pytest.fixture(scope="module")
def firm_places():
    from kg.sources.firms import Places

    return Places.from_units()


def fingerprint(g) -> str:
    """A digest of every node and edge with its attributes."""
    h = hashlib.sha256()
    for item in sorted(g.nodes(data=True), key=lambda x: x[0]):
        h.update(repr(item).encode())
    for item in sorted(g.edges(keys=True, data=True), key=lambda x: x[:3]):
        h.update(repr(item).encode())
    return h.hexdigest()


def write_files(root: Path, files: dict) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if content is None:
            path.unlink(missing_ok=True)
        else:
            path.write_bytes(content if isinstance(content, bytes) else utf8(content))
    return root


# --- running one case per reader ---------------------------------------------------------

def run_curated(case: Case, tmp_path: Path, g) -> str:
    from kg.sources.curated import CuratedDataError, add_curated

    data = write_files(tmp_path / "data", {**GOOD, **case.input})
    before = fingerprint(g)
    with pytest.raises(CuratedDataError) as err:
        add_curated(g, data)
    assert fingerprint(g) == before, "a rejected file must leave the graph unchanged"
    return "\n".join(err.value.errors)


def run_firms(case: Case, tmp_path: Path, places) -> str:
    from kg.sources.firms import FirmFileError, FirmReader

    path = tmp_path / "firms.csv"
    path.write_bytes(case.input)
    rejects_path = tmp_path / "rejects.csv"
    reader = FirmReader(path, places=places, industries={}, rejects_path=rejects_path)
    try:
        accepted = list(reader.rows())
    except FirmFileError as exc:
        return str(exc)
    # the good row (FIRM) in a case is still accepted: one bad row does not spoil the file
    assert len(accepted) == case.options.get("accepted", int(utf8(FIRM) in case.input))
    # every reject is also a row of the rejects file, with its line and reason
    limit = csv.field_size_limit(10 * LONG)  # the overlong case's reject holds its long cell
    try:
        with open(rejects_path, encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
    finally:
        csv.field_size_limit(limit)
    assert rows[0][:2] == ["line", "reason"]
    assert [(int(r[0]), r[1]) for r in rows[1:]] == [(r.line, r.reason) for r in reader.rejects]
    return "\n".join(f"{r.line}: {r.reason}" for r in reader.rejects)


def run_document(case: Case, tmp_path: Path) -> str:
    from kg.extract.readers import ReadError, read_document

    (name, content), = case.input.items()
    write_files(tmp_path, {name: content})
    with pytest.raises(ReadError) as err:
        read_document(tmp_path / name, **case.options)
    return str(err.value)


def run_cli(args: list[str], tmp_path: Path, request, neo4j: bool) -> str:
    build = write_files(tmp_path / "build", GOOD_BUILD)
    args = [a.replace("{tmp}", str(tmp_path)).replace("{build}", str(build)) for a in args]
    before = None
    if neo4j:
        from kg.store.neo4j_load import database_counts

        driver = request.getfixturevalue("loaded")
        for var in ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD"):  # talk to the local test server
            request.getfixturevalue("monkeypatch").delenv(var, raising=False)
        before = database_counts(driver)
    result = CliRunner().invoke(app, args)
    output = result.output
    assert result.exit_code in (1, 2), output
    assert "Traceback" not in output and not isinstance(result.exception, (AssertionError, KeyError, TypeError))
    if neo4j:
        assert database_counts(driver) == before, "a refused query must leave the graph unchanged"
    return output


def run_cli_load(case: Case, tmp_path: Path) -> str:
    # The damaged build must be refused before any connection: the URI points at a port where
    # nothing listens, so a load that got that far would fail with "no Neo4j server answers".
    build = write_files(tmp_path / "build", {**GOOD_BUILD, **case.input})
    result = CliRunner().invoke(app, ["load", "--build", str(build), "--uri", DEAD_URI, "--password", "x"])
    assert result.exit_code == 1, result.output
    assert "no Neo4j server answers" not in result.output
    return result.output


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id, marks=c.marks) for c in CASES])
def test_bad_input_is_refused_clearly(case, tmp_path, request):
    TALLY["tried"] += 1
    if case.reader in ("curated", "statistics"):
        message = run_curated(case, tmp_path, request.getfixturevalue("places_graph"))
    elif case.reader == "firms":
        message = run_firms(case, tmp_path, request.getfixturevalue("firm_places"))
    elif case.reader == "document":
        message = run_document(case, tmp_path)
    elif case.reader == "cli-load":
        message = run_cli_load(case, tmp_path)
    else:
        message = run_cli(case.input, tmp_path, request, neo4j=bool(case.marks))
    flat = " ".join(message.split()) if case.reader.startswith("cli") else message  # rich wraps lines
    assert re.search(case.expect, flat, re.M), f"expected /{case.expect}/ in:\n{message[:2000]}"
    assert len(message) < 2000, "a message must not echo a huge input back"
    TALLY["passed"] += 1


def test_the_good_folder_loads(places_graph, tmp_path):
    """The base every curated case spoils one file of is itself valid (so each case fails
    for its own reason)."""
    from kg.sources.curated import add_curated

    g = places_graph.copy()
    add_curated(g, write_files(tmp_path / "data", GOOD))
    from kg.model.statistics import statistic_value
    assert statistic_value(g, "320100", "gdp", 2020) == 14817.95
    assert g.has_edge("320100", "metro:test-nanjing", "CORE_OF|policy:test-plan-2021")


def test_the_good_build_loads(tmp_path):
    from kg.store.files import read_build

    g = read_build(write_files(tmp_path / "build", GOOD_BUILD))
    assert (g.number_of_nodes(), g.number_of_edges()) == (6, 4)


@pytest.mark.neo4j
def test_damaged_builds_leave_neo4j_unchanged(loaded, tmp_path, neo4j_server):
    """The same damaged build folders, now with the real server reachable: still refused,
    and every node and relationship count in the database is what it was."""
    from kg.store.neo4j_load import database_counts

    before = database_counts(loaded)
    load_cases = [c for c in CASES if c.reader == "cli-load"]
    for case in load_cases:
        build = write_files(tmp_path / case.id, {**GOOD_BUILD, **case.input})
        result = CliRunner().invoke(app, ["load", "--build", str(build), "--uri", neo4j_server["uri"],
                                          "--user", neo4j_server["user"], "--password", neo4j_server["password"]])
        assert result.exit_code == 1 and re.search(case.expect, " ".join(result.output.split())), case.id
    assert database_counts(loaded) == before


def test_the_table_covers_every_reader_and_kind_of_mess():
    readers = {c.reader for c in CASES}
    assert {"curated", "statistics", "firms", "document", "cli", "cli-load"} <= readers
    assert len(CASES) >= 30
    kinds = set().union(*(c.kinds for c in CASES))
    assert REQUIRED_KINDS <= kinds, REQUIRED_KINDS - kinds
    assert len({c.id for c in CASES}) == len(CASES)


# --- "bad-input cases: N tried, N passed" at the end of the session -----------------------

class _Tally:
    def pytest_terminal_summary(self, terminalreporter):
        if TALLY["tried"]:
            terminalreporter.write_line(f"bad-input cases: {TALLY['tried']} tried, {TALLY['passed']} passed")


@pytest.fixture(scope="module", autouse=True)
def _tally(request):
    request.config.pluginmanager.register(_Tally(), "bad-input-tally")
    yield
