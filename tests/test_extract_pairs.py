"""General extraction mechanisms (kg/extract/pairs.py), the classifier and the trigger lexicon,
on short texts written for the tests (tests/texts/); no corpus or devset needed."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.extract.classify import Model, features, load_model
from kg.extract.pairs import load_triggers
from kg.extract.score import confidence_bands
from kg.paths import REPO

TEXTS = Path(__file__).parent / "texts"


@pytest.fixture(scope="module")
def extractor(graph):
    from kg.extract.pipeline import Extractor

    return Extractor(graph)


def pairs_of(extractor, text):
    """Every Pair the general mechanisms propose in ``text`` (one sentence after another)."""
    return extractor.pairs_in(text)


def facts(pairs, mech=None):
    return {(p.type, p.head.id, p.tail.id) for p in pairs if mech in (None, p.mech)}


# --- lexicon ---------------------------------------------------------------------------------

def test_lexicon_has_the_issue_triggers_with_sources():
    lex = load_triggers()
    words = {t: {w for w, _ in v} for t, v in lex.items()}
    assert {"疏解", "承接", "转移", "外溢", "迁至", "落户", "飞地"} <= words["SPILLOVER_TO"]
    assert {"聚焦", "主导", "集群", "基地", "之都", "高地"} <= words["SPECIALIZES_IN"]
    assert {"纳入", "包括", "涵盖", "辐射"} <= words["MEMBER_OF"]
    assert {"携手", "合作", "共建", "联盟", "对口"} <= words["COOPERATES_WITH"]
    rows = [line.split("\t") for line in
            (REPO / "kg/extract/lexicons/triggers.tsv").read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#")]
    assert all(len(r) == 4 and r[3] in ("issue13", "guide", "tune") for r in rows)


# --- containment stated in the text ---------------------------------------------------------

def test_containment_agrees_with_the_backbone(extractor):
    got = facts(pairs_of(extractor, "会议在江苏省南京市召开。常州下辖的溧阳市加入。"), "contain")
    assert ("BELONGS_TO", "320100", "320000") in got
    assert ("BELONGS_TO", "320481", "320400") in got


def test_a_list_inherits_its_province(extractor):
    got = facts(pairs_of(extractor, "范围包括广西壮族自治区南宁市、北海市、钦州市,广东省湛江市。"), "contain")
    assert {("BELONGS_TO", c, "450000") for c in ("450100", "450500", "450700")} <= got
    assert ("BELONGS_TO", "440800", "440000") in got
    assert ("BELONGS_TO", "440800", "450000") not in got


def test_containment_that_disagrees_is_flagged_not_merged(extractor):
    ps = [p for p in pairs_of(extractor, "浙江下辖的苏州市发展很快。") if p.mech == "contain"]
    assert [(p.head.id, p.tail.id, p.props) for p in ps] == [("320500", "330000", {"backbone": "disagrees"})]


def test_new_area_written_after_its_place(extractor):
    got = facts(pairs_of(extractor, "青岛西海岸新区发展很快。"), "contain")
    assert got == {("LOCATED_IN", "newarea:west-coast", "370200")}


# --- lists, coordination, shared subject ----------------------------------------------------

def test_members_after_a_trigger_without_qualifiers(extractor):
    got = facts(pairs_of(extractor, "哈长城市群规划范围包括黑龙江省哈尔滨市、大庆市,吉林省长春市。"), "member")
    assert {("MEMBER_OF", c, "cluster:harbin-changchun") for c in ("230100", "230600", "220100")} <= got
    assert ("MEMBER_OF", "230000", "cluster:harbin-changchun") not in got     # a qualifier


def test_member_before_its_trigger_and_a_counted_list(extractor):
    got = facts(pairs_of(extractor, "惠州全域纳入深圳都市圈。"), "member")
    assert ("MEMBER_OF", "441300", "metro:shenzhen") in got
    got = facts(pairs_of(extractor, "西安都市圈建设中,西安市、咸阳市、铜川市三市联动。"), "counted")
    assert {("MEMBER_OF", c, "metro:xian") for c in ("610100", "610400", "610200")} == got


def test_a_heading_gives_the_grouping_of_the_next_list(extractor):
    got = facts(pairs_of(extractor, "兰州—西宁城市群规划范围\n\n甘肃省兰州市,白银市白银区、平川区;"), "member")
    assert {("MEMBER_OF", c, "cluster:lanzhou-xining") for c in ("620100", "620402", "620403")} <= got
    assert ("MEMBER_OF", "620400", "cluster:lanzhou-xining") not in got       # 白银市 qualifies 白银区


def test_members_under_their_own_parent_are_marked_qualified(extractor):
    """An administrative listing (a city under its province, counties under their city) marks its
    members ``qual=True``; a plain list of cities does not."""
    ps = [p for p in pairs_of(extractor, "兰州—西宁城市群规划范围\n\n甘肃省兰州市,白银市白银区、平川区,"
                              "青海省西宁市;") if p.mech == "member"]
    qual = {p.head.id: "qual=True" in p.feats for p in ps}
    assert qual == {"620100": True, "620402": True, "620403": True, "630100": True}
    ps = [p for p in pairs_of(extractor, "南京都市圈范围包括南京、镇江、扬州。") if p.mech == "member"]
    assert {p.head.id for p in ps} == {"320100", "321100", "321000"}
    assert all("qual=False" in p.feats for p in ps)


def test_places_inside_a_grouping_name_are_not_pairs(extractor):
    ps = pairs_of(extractor, "重点打造贵阳—贵安—安顺都市圈、遵义都市圈,与铜仁合作。")
    assert not [p for p in ps if "520300" in (p.head.id, p.tail.id)]          # 遵义 in 遵义都市圈


def test_cooperation_pairs_carry_separator_and_order(extractor):
    ps = [p for p in pairs_of(extractor, "广东省深圳市与广西壮族自治区柳州市携手共建产业园区。") if p.mech == "coop"]
    assert {(p.head.id, p.tail.id) for p in ps} == {("440300", "450200")}     # provinces qualify
    feats = set(ps[0].feats)
    assert "gap=与P" in feats and "tside=before" in feats and "tside2=before" in feats


def test_coordination_shape_with_the_role_of_the_trigger(extractor):
    """A与B、C等同城化: A with each (``with-trig``), B and C inside the list after 与; A、B、C同城化:
    every pair (``run-trig``); 共同 is a ``joint`` trigger (places acting together), 同城化 a ``pair``."""
    ps = [p for p in pairs_of(extractor, "加快武汉与鄂州、孝感等同城化进程。") if p.mech == "coop"]
    coord = {(p.head.id, p.tail.id): [f for f in p.feats if f.startswith("coord=")] for p in ps}
    assert coord[("420100", "420700")] == coord[("420100", "420900")] == ["coord=with-trig&pair"]
    assert coord[("420700", "420900")] == ["coord=inside&pair"]
    ps = [p for p in pairs_of(extractor, "提升长沙、株洲、湘潭同城化质量。") if p.mech == "coop"]
    assert len(ps) == 3 and all("coord=run-trig&pair" in p.feats for p in ps)
    ps = [p for p in pairs_of(extractor, "南京、镇江、扬州共同编制规划。") if p.mech == "coop"]
    assert ps and all("coord=run-trig&joint" in p.feats and "tclass=joint" in p.feats for p in ps)


def test_a_pair_near_several_triggers_is_read_by_its_strongest_nearest_one(extractor):
    ps = [p for p in pairs_of(extractor, "苏州、宿迁共建园区,实现共同富裕。") if p.mech == "coop"]
    assert [(p.head.id, p.tail.id, p.trigger) for p in ps] == [("320500", "321300", "共建")]
    assert "tclass=pair" in ps[0].feats and "tclass=joint" not in ps[0].feats


def test_a_joint_abbreviation_names_both_places(extractor):
    """港澳 is 香港 and 澳门, one character each; inside 粤港澳 (a longer run) it is not."""
    ents = extractor.recognizer.recognize("大湾区涵盖港澳及广东九市。")
    got = [(e.surface, e.id, e.start) for e in ents if e.reason == "joint abbreviation"]
    assert got == [("港", "810000", 5), ("澳", "820000", 6)]
    assert not [e for e in extractor.recognizer.recognize("依托粤港澳三大城市群。")
                if e.reason == "joint abbreviation"]


def test_a_place_next_to_its_own_parent_does_not_split_a_word(extractor):
    """广西南宁 holds the word 西南, but 南宁 is in 广西 (the backbone agrees): both are places, and
    the containment is read; 西南 alone stays a word."""
    ents = extractor.recognizer.recognize("博览会于广西南宁举行。")
    assert [(e.surface, e.id) for e in ents] == [("广西", "450000"), ("南宁", "450100")]
    assert not extractor.recognizer.recognize("西南地区发展很快。")
    got = facts(pairs_of(extractor, "博览会于广西南宁举行。"), "contain")
    assert got == {("BELONGS_TO", "450100", "450000")}


def test_a_province_counting_its_cities_is_not_a_member(extractor):
    got = facts(pairs_of(extractor, "粤港澳大湾区涵盖港澳及广东九市。"), "member")
    assert {("MEMBER_OF", "810000", "cluster:pearl-river-delta"), ("MEMBER_OF", "820000", "cluster:pearl-river-delta")} <= got
    assert ("MEMBER_OF", "440000", "cluster:pearl-river-delta") not in got
    got = facts(pairs_of(extractor, "长江中游城市群地跨湖北、湖南、江西三省。"), "member")
    assert ("MEMBER_OF", "360000", "cluster:middle-yangtze") in got     # 三省 counts the provinces


def test_a_member_running_into_a_name_is_marked_glued(extractor):
    """哈长城市群…包括长春北湖科技开发区: 长春 runs into a park's name (``mglued=han``); in a plain
    list it stands before a separator (``mglued=sep``)."""
    ps = [p for p in pairs_of(extractor, "哈长城市群范围包括长春北湖科技开发区、哈尔滨。") if p.mech == "member"]
    glued = {p.head.id: [f for f in p.feats if f.startswith("mglued=")] for p in ps}
    assert glued == {"220100": ["mglued=han"], "230100": ["mglued=sep"]}


def test_core_and_specialisation(extractor):
    got = facts(pairs_of(extractor, "哈长城市群以哈尔滨、长春为核心。"), "core")
    assert got == {("CORE_OF", "230100", "cluster:harbin-changchun"), ("CORE_OF", "220100", "cluster:harbin-changchun")}
    got = facts(pairs_of(extractor, "扬州聚焦新能源汽车产业。"), "spec")
    assert ("SPECIALIZES_IN", "321000", "industry:new-energy-vehicles") in got


# --- the pipeline with the packaged classifier ----------------------------------------------

def test_sample_text_end_to_end(extractor):
    path = TEXTS / "metro_sample.txt"
    cands = extractor.extract(path)
    text = path.read_text(encoding="utf-8")
    kept = {(c.type, c.head.id, c.tail.id) for c in cands if c.confidence >= 0.5 and c.tail is not None}
    for fact in [("BELONGS_TO", "320100", "320000"), ("BELONGS_TO", "320481", "320400"),
                 ("MEMBER_OF", "321100", "metro:nanjing"), ("CORE_OF", "320100", "metro:nanjing"),
                 ("COOPERATES_WITH", "320100", "321100"),
                 ("SPECIALIZES_IN", "321000", "industry:new-energy-vehicles"),
                 ("TARGETS", "policy:nanjing-metro-plan-2021", "metro:nanjing")]:
        assert fact in kept, fact
    for c in cands:
        assert text[c.start:c.end] == c.sentence
        for end in (c.head, c.tail):
            if end is not None and end.start is not None:
                assert text[end.start:end.end] == end.surface
    gen = [c for c in cands if c.pattern.startswith("gen.")]
    assert gen and all(0.0 <= c.confidence <= 1.0 for c in gen)


def test_traditional_sample_keeps_its_characters(extractor):
    path = TEXTS / "trad_sample.txt"
    cands = extractor.extract(path)
    b = [c for c in cands if c.type == "BELONGS_TO" and c.head.id == "230100"]
    assert b and b[0].tail.surface == "黑龍江省" and b[0].head.surface == "哈爾濱市"
    assert any(c.type == "CORE_OF" and c.tail.id == "cluster:harbin-changchun" and c.confidence >= 0.5
               for c in cands)


def test_ids_are_stable_across_runs(extractor, tmp_path):
    from kg.extract.candidates import write_jsonl

    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    write_jsonl(extractor.extract(TEXTS / "metro_sample.txt"), a)
    write_jsonl(extractor.extract(TEXTS / "metro_sample.txt"), b)
    assert a.read_bytes() == b.read_bytes()
    ids = [json.loads(line)["id"] for line in a.read_text(encoding="utf-8").splitlines()]
    assert len(ids) == len(set(ids))


# --- classifier --------------------------------------------------------------------------------

def test_model_is_small_json_with_its_provenance():
    path = REPO / "kg/extract/model/relations.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    assert path.stat().st_size < 200_000
    assert data["meta"]["seed"] == 0 and data["meta"]["trainer"] == "kg/extract/train.py"
    model = load_model()
    assert model is not None and len(model.weights) == len(data["weights"])


def test_probability_is_the_logistic_of_the_weights():
    m = Model({"type=CORE_OF": 1.0, "CORE_OF|trig=核心": 0.5, "trig=核心": -0.25}, bias=-0.5)
    f = features("CORE_OF", ["trig=核心"])
    assert f == ["CORE_OF|trig=核心", "trig=核心", "type=CORE_OF"]
    import math
    assert m.probability(f) == pytest.approx(1 / (1 + math.exp(-0.75)))


def test_training_is_reproducible():
    pytest.importorskip("sklearn")
    from kg.extract.train import fit

    rows = [(["type=A", f"x={i % 3}", f"y={i % 5}"], i % 3 == 0, f"d{i % 4}") for i in range(60)]
    a, b = fit(rows), fit(rows)
    assert a.weights == b.weights and a.bias == b.bias
    assert a.probability(["type=A", "x=0", "y=1"]) > 0.5 > a.probability(["type=A", "x=1", "y=1"])


def test_a_gate_caps_a_family_whose_out_of_fold_precision_is_low():
    pytest.importorskip("sklearn")
    from kg.extract.classify import family
    from kg.extract.train import family_counts, fit_gated

    # family "A:good" is right in every document, "A:bad" wrong everywhere but once; in each
    # document a feature of its own (w=) explains its labels in-sample, so out of fold the
    # model is overconfident on "A:bad" -- only the out-of-fold count shows it
    rows = []
    for i in range(40):
        good = i % 2 == 0
        feats = features("A", [f"mech={'good' if good else 'bad'}", "x=1", f"w={i % 4}"])
        rows.append((feats, good or i == 1, f"d{i % 4}", ("A", f"h{i}", f"t{i}"), 1.0))
    assert family(rows[1][0]) == "A:bad"
    counts = family_counts(rows)
    assert counts == {"A:good": [20, 20], "A:bad": [0, 10]}
    model = fit_gated(rows, gate_below=0.45, gate_min=4)
    assert model.gates == {"A:bad": round(1 / 12, 3)}
    assert model.probability(rows[3][0]) <= 1 / 12 < 0.5 <= model.probability(rows[0][0])
    assert fit_gated(rows, gate_below=0.45, gate_min=11).gates == {}     # too few to judge
    assert model.meta["out_of_fold"]["A:good"] == [20, 20]
    # the gates are part of the stored model and come back from its JSON
    data = json.loads(model.to_json())
    assert data["gates"] == model.gates


def test_the_packaged_model_gates_the_general_specialisation_pairs():
    model = load_model()
    gates = model.gates
    assert gates["SPECIALIZES_IN:spec"] < 0.45 and gates["PLANS_INDUSTRY:spec"] < 0.45
    oof = model.meta["out_of_fold"]
    for fam, cap in gates.items():
        ok, n = oof[fam]
        assert n >= model.meta["gate_min"] and cap == round((ok + 1) / (n + 2), 3) < model.meta["gate_below"]
    # a pattern's family is never gated: patterns were read on text, not guessed
    assert not any(f.endswith(":pat") for f in gates)
    f = features("SPECIALIZES_IN", ["mech=spec", "trig=集群", "hl=City", "tl=Industry"])
    assert model.probability(f) <= gates["SPECIALIZES_IN:spec"]


def test_confidence_bands_count_by_hand():
    scored = [(0.55, True), (0.6, False), (0.75, True), (0.9, True), (0.95, False), (0.3, True)]
    assert confidence_bands(scored) == [(0.5, 0.7, 1, 2), (0.7, 0.85, 1, 1), (0.85, 1.01, 1, 2)]


# --- bad input -------------------------------------------------------------------------------

def test_devset_reader_takes_the_body_from_line_two(tmp_path):
    from kg.extract.readers import ReadError, read_devset_document

    p = tmp_path / "01_x.txt"
    p.write_text("SOURCE: http://example.org/a | 标题\n研发在武汉、生产在鄂州。", encoding="utf-8")
    doc = read_devset_document(p)
    assert doc.text == "研发在武汉、生产在鄂州。" and doc.title == "标题"
    p.write_text("没有来源行\n正文。", encoding="utf-8")
    with pytest.raises(ReadError, match="line 1"):
        read_devset_document(p)


def test_a_10_mb_line_without_punctuation_is_cut_into_bounded_pieces():
    from kg.extract.sentences import MAX_SENTENCE, split_sentences

    text = "城市发展合作" * 1_750_000            # 10.5 M characters, no sentence end
    pieces = split_sentences(text)
    assert max(s.end - s.start for s in pieces) <= MAX_SENTENCE
    assert pieces[0].start == 0 and pieces[-1].end == len(text)
    assert all(a.end == b.start for a, b in zip(pieces, pieces[1:]))  # nothing lost


def _peak_rss_mb() -> float:
    """The process's peak resident size so far (VmHWM), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    pytest.skip("no /proc/self/status on this system")


@pytest.mark.slow
def test_a_10_mb_single_line_file_extracts_with_bounded_memory(extractor, tmp_path):
    line = ("武汉与鄂州合作发展" + "城市" * 400) * 12_500     # ~10 MB UTF-8, one line
    path = tmp_path / "one_line.txt"
    path.write_text(line, encoding="utf-8")
    assert path.stat().st_size > 10_000_000
    before = _peak_rss_mb()
    cands = extractor.extract(path)
    grown = _peak_rss_mb() - before
    assert any(c.type == "COOPERATES_WITH" for c in cands)
    assert max(c.end - c.start for c in cands) <= 2000          # bounded pieces, not one 10 MB sentence
    assert grown < 600, f"peak memory grew by {grown:.0f} MB"


def test_a_plan_targets_what_follows_only_where_it_frames_the_sentence(extractor):
    from kg.extract.targets import targets
    from kg.extract.template import make_sent
    from kg.extract.sentences import split_sentences

    def tails(text):
        ents = extractor.recognizer.recognize(text, split_sentences(text))
        return {(h.pattern, h.tail.surface) for h in targets(make_sent(0, 0, len(text), 0, text, ents))}

    framed = tails("在《南京都市圈发展规划》中,镇江、扬州被列为重点。")
    assert {("tgt.scope", "镇江"), ("tgt.scope", "扬州")} <= framed
    assert not any(p == "tgt.scope" for p, _ in tails("加快推进《南京都市圈发展规划》实施,镇江、扬州协同发展。"))


def test_membership_is_checked_against_the_graphs_geography(extractor, graph):
    from kg.extract.recognize import Entity

    pf = extractor.pairs
    grp = Entity(0, 5, "南京都市圈", "MetroCircle", ("metro:nanjing",), "metro:nanjing", 1.0, "name")
    near = Entity(0, 2, "扬州", "City", ("321000",), "321000", 1.0, "name")
    far = Entity(0, 2, "广州", "City", ("440100",), "440100", 1.0, "name")
    assert pf.geo(near, grp) == "in" and pf.geo(far, grp) == "out"
