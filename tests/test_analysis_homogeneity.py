"""Homogeneity: similarity, the null model, Louvain clusters, and the corpus's statements."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kg.analysis import communities, homogeneity, networks, nullmodel


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
    # 30 places each list one common industry; two also share five rare ones
    rows = {f"p{i}": {"common", f"own{i}"} for i in range(30)}
    rows["p0"] |= {f"rare{k}" for k in range(5)}
    rows["p1"] |= {f"rare{k}" for k in range(5)}
    cols = sorted({c for s in rows.values() for c in s})
    m = pd.DataFrame([[int(c in rows[r]) for c in cols] for r in rows], index=list(rows), columns=cols)
    sig = nullmodel.overlap_significance(m, samples=400, seed=1).set_index(["a", "b"])
    assert bool(sig.loc[("p0", "p1"), "significant"])
    assert sig.loc[("p0", "p1"), "p_empirical"] == pytest.approx(1 / 401)  # no null sample reached 6
    assert sig.loc[("p0", "p1"), "q_value"] < 0.05
    assert not bool(sig.loc[("p2", "p3"), "significant"])  # sharing only what everyone lists
    assert sig.loc[("p2", "p3"), "p_empirical"] == 1.0
    assert sig["significant"].sum() == 1


def test_louvain_is_reproducible_with_a_seed(graph):
    b = networks.place_industry(graph)
    sim = networks.industry_similarity(graph, b)
    first = communities.homogeneity_clusters(sim, b, seed=11)
    for _ in range(3):
        pd.testing.assert_frame_equal(first, communities.homogeneity_clusters(sim, b, seed=11))
    # the 长三角 cities whose only row is the corpus's 高端装备 sentence (徐州 among them) form
    # one cluster sharing it; cities with rows from their own plans may sit elsewhere
    top = first[first["members"].str.split(";").apply(lambda ms: "320300" in ms)].iloc[0]
    assert "industry:high-end-equipment" in top["shared_industries"].split(";")
    assert top["size"] >= 20


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
    # the verdict always says how much of the population the data covers
    assert all(("of the" in v or "members" in v or v.startswith("no data")) for v in claims["verdict"])


def test_competition_risks_are_adjacent_and_similar(graph):
    m = homogeneity.industry_matrix(graph, "南京都市圈")
    pairs = homogeneity.pairwise(m)
    risks = homogeneity.competition_risks(graph, pairs, threshold=0.5)
    assert len(risks) > 0 and (risks["jaccard"] >= 0.5).all()
    from kg.model.graph import rels_of

    adjacent = {frozenset((u, v)) for u, v, _ in rels_of(graph, "ADJACENT_TO")}
    city_pairs = risks[risks["a"].str.fullmatch(r"\d{4}00") & risks["b"].str.fullmatch(r"\d{4}00")]
    assert all(frozenset((r.a, r.b)) in adjacent for r in city_pairs.itertuples())


def test_location_quotients_need_output_and_gdp(graph):
    lq = homogeneity.location_quotients(graph)
    assert {"place", "industry", "lq"} <= set(lq.columns)
    for r in lq.itertuples():  # whatever is computed is consistent with its inputs
        assert r.output > 0 and r.gdp > 0
