"""Issue 14 (clusters part): plan tiers of the clusters, the founding article's 52 new centres
(how many are named, why the rest are not) and the planned industries of the named ones."""
from __future__ import annotations

import csv

import pytest

from kg.paths import DATA
from kg.model.targets import coverage
from kg.sources.new_centers import new_center_gap, summary

ARTICLE = "000_e72cbd7cbd590d7c.txt"


def tiers(graph, cluster):
    """{tier: {member name}} of one cluster, from the graph."""
    out: dict[str, set] = {}
    for u, _, d in graph.in_edges(cluster, data=True):
        if d["type"] == "MEMBER_OF" and d.get("tier"):
            out.setdefault(d["tier"], set()).add(graph.nodes[u]["name"])
    return out


def test_cluster_tiers_are_the_plans_words(graph):
    assert tiers(graph, "cluster:harbin-changchun") == {"双核": {"哈尔滨市", "长春市"}}
    assert tiers(graph, "cluster:beibu-gulf") == {"一核": {"南宁市"}, "两极": {"海口市", "湛江市"}}
    assert tiers(graph, "cluster:chengdu-chongqing") == {"双核": {"重庆市", "成都市"}}
    assert tiers(graph, "cluster:lanzhou-xining") == {"双圈": {"兰州市", "白银市", "西宁市", "海东市"}}
    assert tiers(graph, "cluster:jing-jin-ji") == {"一核": {"北京市"}, "双城": {"天津市"}}
    assert tiers(graph, "cluster:shandong-peninsula") == {
        "济南都市圈": {"济南市", "淄博市", "泰安市", "德州市", "聊城市"}, "青岛都市圈": {"青岛市", "潍坊市"}}
    prd = tiers(graph, "cluster:pearl-river-delta")
    assert prd["中心城市"] == {"香港特别行政区", "澳门特别行政区", "广州市", "深圳市"}
    assert prd["重要节点城市"] == {"珠海市", "佛山市", "惠州市", "东莞市", "中山市", "江门市", "肇庆市"}
    table = {r["id"]: r for r in coverage(graph)}
    assert table["cluster:beibu-gulf"]["tiers"] == "一核 1; 两极 2"
    assert table["cluster:lanzhou-xining"]["tiers"] == "双圈 4"
    assert table["cluster:pearl-river-delta"]["tiers"] == "中心城市 4; 重要节点城市 7"
    # tier rows sit beside the scope rows: the plan scope counts are unchanged
    for cid, units in (("cluster:harbin-changchun", 11), ("cluster:beibu-gulf", 15),
                       ("cluster:lanzhou-xining", 9), ("cluster:chengdu-chongqing", 18),
                       ("cluster:jing-jin-ji", 13), ("cluster:pearl-river-delta", 11),
                       ("cluster:shandong-peninsula", 16)):
        assert table[cid]["plan_members"] == table[cid]["scope_units"] == units
        assert table[cid]["members"] == units


def test_tier_quotes_name_the_tier_and_the_city():
    """Independent of the reader: each new tier row's quote holds its tier word (either script)
    and its city's short name."""
    t2s = str.maketrans("兩極寧門廣", "两极宁门广")
    with (DATA / "relations" / "cluster_members.csv").open(encoding="utf-8") as f:
        tiered = [r for r in csv.DictReader(f) if r["tier"]]
    new = [r for r in tiered if r["tail"] in ("cluster:harbin-changchun", "cluster:beibu-gulf",
                                              "cluster:chengdu-chongqing", "cluster:lanzhou-xining",
                                              "cluster:jing-jin-ji", "cluster:pearl-river-delta",
                                              "cluster:shandong-peninsula")]
    assert len(new) == 31 and all(r["checked"] == "true" for r in new)
    for r in new:
        quote = r["quote"].translate(t2s)
        assert r["tier"] in quote, r["head_name"]
        assert r["head_name"].removesuffix("特别行政区").removesuffix("市") in quote, r["head_name"]


def test_new_centre_gap_is_counted(graph):
    gap = new_center_gap(g=graph)
    assert (gap["studied"], gap["named"], gap["not_named"]) == (52, 14, 38)
    assert summary(gap).startswith("14 of 52 named; 38 not named: ")
    assert "no stored text" in gap["reason"] and "城市新中心" in gap["searched"]
    assert {name for _, name, _ in gap["candidates"]} == {"江宁区", "雨花台区", "吴中区", "相城区", "虎丘区"}


def test_new_centre_gap_bad_input(tmp_path):
    bad = tmp_path / "gap.csv"
    bad.write_text("item,place,name,count,reason,searched,source_id,quote,checked,note\n"
                   "studied,,,52,,,,,true,\nnamed,,,14,,,,,true,\nnot_named,,,37,x,,,,true,\n"
                   "other,,,1,,,,,true,\n", encoding="utf-8")
    with pytest.raises(ValueError) as exc:
        new_center_gap(bad)
    assert "gap.csv:5: item 'other'" in str(exc.value)
    assert "studied 52 != named 14 + not_named 37" in str(exc.value)


def test_new_centre_gap_quotes_are_verbatim(corpus_files):
    text = corpus_files[ARTICLE]
    with (DATA / "coverage" / "new_centers_missing.csv").open(encoding="utf-8") as f:
        quotes = [r["quote"] for r in csv.DictReader(f) if r["quote"]]
    assert len(quotes) == 7 and all(q in text for q in quotes)


def planned(graph, adcode):
    return {graph.nodes[v]["name"] for _, v, d in graph.out_edges(adcode, data=True)
            if d["type"] == "PLANS_INDUSTRY"}


def test_new_centres_planned_industries(graph):
    assert planned(graph, "440307") == {"电子信息", "生物医药产业", "低碳"}             # 龙岗 IT+BT+低碳
    assert planned(graph, "310115") == {"集成电路", "生物医药产业", "人工智能"}          # 浦东 先导产业
    assert planned(graph, "330109") == {"新材料产业", "汽车", "物联网", "生命健康",
                                        "高端装备制造产业"}                             # 萧山 2+3+X
    centres = [n for n, d in graph.nodes(data=True) if "NewCenter" in d["labels"]]
    with_plans = {graph.nodes[n]["name"] for n in centres if planned(graph, n)}
    assert with_plans == {"光明区", "钱塘区", "普陀区", "龙岗区", "浦东新区", "萧山区",
                          # own documents, planned_industries_centres.csv
                          "通州区", "临平区", "武清区", "吴江区", "龙华区", "余杭区", "滨海新区"}
    assert {graph.nodes[n]["name"] for n in centres} - with_plans == {"宝安区"}


def test_liangjiang_hosts_include_jiangbei_and_yubei(graph):
    hosts = {v for u, v, d in graph.out_edges("newarea:liangjiang", data=True) if d["type"] == "LOCATED_IN"}
    assert {"500105", "500109", "500112"} <= hosts          # 江北区 北碚区 渝北区
