"""Homogeneity: similarity, the null model, Louvain clusters, and the corpus's statements."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kg.analysis import communities, homogeneity, networks, nullmodel
from kg.model import schema


def test_pairwise_similarity_by_hand():
    m = pd.DataFrame([[1, 1, 1, 0], [1, 1, 0, 0], [0, 0, 0, 1]], index=["p", "q", "r"],
                     columns=["a", "b", "c", "d"])
    pairs = homogeneity.pairwise(m).set_index(["a", "b"])
    assert pairs.loc[("p", "q"), "jaccard"] == pytest.approx(2 / 3)
    assert pairs.loc[("p", "q"), "cosine"] == pytest.approx(2 / np.sqrt(6))
    assert pairs.loc[("p", "r"), "shared"] == 0
    index = homogeneity.homogeneity_index(m, top=2)
    assert index["mean_jaccard"] == pytest.approx((2 / 3 + 0 + 0) / 3)
    assert index["share_listing_all_top"] == pytest.approx(2 / 3)  # p and q list a and b


def test_null_model_keeps_degrees_and_is_seeded():
    rng = np.random.default_rng(3)
    m = (rng.random((25, 12)) < 0.3).astype(int)
    runs = [nullmodel.null_matrices(m, samples=20, seed=5) for _ in range(2)]
    for x, y in zip(*runs):
        assert (x == y).all()  # same seed, same samples
        assert (x.sum(axis=1) == m.sum(axis=1)).all()
        assert (x.sum(axis=0) == m.sum(axis=0)).all()
    assert any((x != m).any() for x in runs[0])  # it does shuffle


def test_overlap_beyond_chance_is_significant_and_common_overlap_is_not():
    # 12 places each list one common industry; two also share five rare ones
    rows = {f"p{i}": {"common", f"own{i}"} for i in range(12)}
    rows["p0"] |= {f"rare{k}" for k in range(5)}
    rows["p1"] |= {f"rare{k}" for k in range(5)}
    cols = sorted({c for s in rows.values() for c in s})
    m = pd.DataFrame([[int(c in rows[r]) for c in cols] for r in rows], index=list(rows), columns=cols)
    sig = nullmodel.overlap_significance(m, samples=2000, seed=1).set_index(["a", "b"])
    assert bool(sig.loc[("p0", "p1"), "significant"])
    assert sig.loc[("p0", "p1"), "p_empirical"] == pytest.approx(1 / 2001)  # no null sample reached 6
    # BH on the empirical p-values, recomputed by its definition: q_(k) = min_{j>=k} p_(j) n / j
    p = sig["p_empirical"].to_numpy()
    n, order = len(p), np.argsort(p)
    q = np.empty(n)
    for rank, i in enumerate(order, start=1):
        q[i] = min(1.0, min(p[order[j - 1]] * n / j for j in range(rank, n + 1)))
    assert np.allclose(sig["q_value"].to_numpy(), q)
    assert sig.loc[("p0", "p1"), "q_value"] == pytest.approx(66 / 2001)  # 66 pairs share "common"
    # too few samples for 66 tests: the same overlap cannot be called significant
    few = nullmodel.overlap_significance(m, samples=400, seed=1).set_index(["a", "b"])
    assert few.loc[("p0", "p1"), "p_empirical"] < 0.05 and not few["significant"].any()
    assert not bool(sig.loc[("p2", "p3"), "significant"])  # sharing only what everyone lists
    assert sig.loc[("p2", "p3"), "p_empirical"] == 1.0
    assert sig["significant"].sum() == 1


def test_louvain_is_reproducible_with_a_seed(graph):
    b = networks.place_industry(graph)
    sim = networks.industry_similarity(graph, b)
    first = communities.homogeneity_clusters(sim, b, seed=11)
    for _ in range(3):
        pd.testing.assert_frame_equal(first, communities.homogeneity_clusters(sim, b, seed=11))
    # the 长三角 cities whose only row is the corpus's 高端装备 sentence (六安 among them) form
    # one cluster sharing it; cities with rows from their own plans may sit elsewhere
    top = first[first["members"].str.split(";").apply(lambda ms: "341500" in ms)].iloc[0]
    assert "industry:high-end-equipment" in top["shared_industries"].split(";")
    assert top["size"] >= 10  # 16 with the own-plan rows of 60 cities (issue 14)


def test_corpus_claims_recomputed(graph):
    claims = homogeneity.claims(graph)
    assert set(claims["claim"]) == {c.id for c in homogeneity.CLAIMS}
    equipment = claims[claims["claim"] == "yrd-41-cities-equipment"].iloc[0]
    # 41 prefecture-level units of 沪苏浙皖, every one planning 高端装备 (corpus 000)
    assert equipment["members_in_graph"] == 41
    assert equipment["share"] == 1.0
    assert equipment["verdict"].startswith("reproduced")
    yrd = claims[claims["claim"] == "yrd-new-centres-half"]
    assert list(yrd["industry"]) == ["新材料", "高端装备", "生物医药", "新一代信息技术"]
    assert yrd["industry_id"].notna().all()  # every industry the text names is in the graph
    # the 14 named new centres, each with industries from its district's documents (or the
    # corpus), checked against the rows themselves: the share is the count of centres whose
    # industry set (rolled up) holds 生物医药, over the centres with any
    centres = claims[claims["claim"] == "new-centres-40pct"].set_index("industry")
    assert (centres["members_in_graph"] == 14).all() and (centres["members_with_industries"] >= 13).all()
    m = homogeneity.industry_matrix(graph, homogeneity.analysis_scope(graph, "national"))
    named = [c for c, d in graph.nodes(data=True) if schema.NEW_CENTER in d.get("labels", ())]
    bio = homogeneity.industry_by_name(graph, "生物医药")
    listing = sum(1 for c in named if c in m.index and m.loc[c, bio])
    assert centres.loc["生物医药", "listing"] == listing
    assert centres.loc["生物医药", "share"] == listing / centres.loc["生物医药", "members_with_industries"]
    assert "110112" in m.index and m.loc["330113", bio]        # 通州 has rows; 临平 plans 生物医药
    # the verdict always says how much of the population the data covers
    assert all(("of the" in v or "members" in v or v.startswith("no data")) for v in claims["verdict"])


def test_competition_risks_are_adjacent_and_similar(graph):
    m = homogeneity.industry_matrix(graph, "南京都市圈")
    pairs = homogeneity.pairwise(m)
    # own-plan rows (issue 14) list finer industries than the corpus sentence: adjacent pairs of
    # 南京都市圈 reach jaccard 0.22 (芜湖–马鞍山), no longer 0.5
    risks = homogeneity.competition_risks(graph, pairs, threshold=0.2)
    assert len(risks) > 0 and (risks["jaccard"] >= 0.2).all()
    from kg.model.graph import rels_of

    adjacent = {frozenset((u, v)) for u, v, _ in rels_of(graph, "ADJACENT_TO")}
    city_pairs = risks[risks["a"].str.fullmatch(r"\d{4}00") & risks["b"].str.fullmatch(r"\d{4}00")]
    assert all(frozenset((r.a, r.b)) in adjacent for r in city_pairs.itertuples())


def _lq_graph(extra_place: bool):
    """Province P (GDP 1000, industry output 100) > city C (GDP 200, output 50) > county K
    (GDP 50, output 20); optionally an unrelated city D of another province with rows."""
    from kg.model.graph import add_node, add_rel, new_graph
    from kg.model.statistics import add_statistic

    def add_node_with_gdp(g, code, labels, name, gdp=None):
        add_node(g, code, labels, name=name)
        if gdp is not None:
            add_statistic(g, code, "gdp", 2024, gdp, "亿元", "s")

    g = new_graph()
    add_node_with_gdp(g, "320000", ["Place", "Province"], "P", 1000.0)
    add_node_with_gdp(g, "320100", ["Place", "City"], "C", 200.0)
    add_node_with_gdp(g, "320102", ["Place", "County"], "K", 50.0)
    add_node(g, "industry:x", ["Industry"], name="X")
    _ = add_rel(g, "320100", "320000", "BELONGS_TO"); _ = add_rel(g, "320102", "320100", "BELONGS_TO")
    for code, value in (("320000", 100), ("320100", 50), ("320102", 20)):
        add_rel(g, code, "industry:x", "SPECIALIZES_IN", source_id="s", year=2024,
                output_value=value, unit="亿元")
    if extra_place:
        add_node(g, "330000", ["Place", "Province"], name="Q")
        add_node_with_gdp(g, "330100", ["Place", "City"], "D", 9000.0)
        _ = add_rel(g, "330100", "330000", "BELONGS_TO")
        add_rel(g, "330100", "industry:x", "SPECIALIZES_IN", source_id="s", year=2024,
                output_value=10, unit="亿元")
    return g


def test_location_quotients_use_the_reference_economy():
    lq = homogeneity.location_quotients(_lq_graph(False)).set_index("place")
    # county K: (20/50) / (50/200) against its city; city C: (50/200) / (100/1000)
    assert lq.loc["320102", "reference"] == "320100"
    assert lq.loc["320102", "lq"] == pytest.approx((20 / 50) / (50 / 200))
    assert lq.loc["320100", "lq"] == pytest.approx((50 / 200) / (100 / 1000))
    assert np.isnan(lq.loc["320000", "lq"]) and "no unit containing P" in lq.loc["320000", "why"]
    # another province's rows change nothing: it is not K's or C's reference economy
    more = homogeneity.location_quotients(_lq_graph(True)).set_index("place")
    assert more.loc[["320102", "320100"], "lq"].tolist() == lq.loc[["320102", "320100"], "lq"].tolist()
    assert np.isnan(more.loc["330100", "lq"]) and more.loc["330100", "why"]


def test_location_quotients_on_the_real_graph_list_every_output(graph):
    lq = homogeneity.location_quotients(graph)
    baoan = lq[(lq["place"] == "440306") & (lq["industry"] == "industry:strategic-emerging")]
    assert baoan["output"].tolist() == [2405.4]      # specializations.csv, 宝安区 2024
    assert (lq["lq"].notna() | (lq["why"] != "")).all()  # computed, or said why not
