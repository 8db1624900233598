"""Specialisation, similarity, concentration and complexity indices (kg/analysis/*) on small
hand-made tables, each checked against an independent computation (another formula, scipy)
or a published example (EconGeo / REAT), and refusing what they are not defined for."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.spatial.distance import cosine
from scipy.stats import entropy as scipy_entropy

from kg.analysis import complexity, concentration, similarity, specialisation
from kg.analysis.inputs import UndefinedInput, as_values
from kg.analysis.location_quotient import location_quotient

# EconGeo's example region × industry matrix (location_quotient, locational_gini docs)
ECONGEO = pd.DataFrame([[100, 0, 0, 0, 0], [0, 15, 5, 70, 10], [0, 20, 10, 20, 50],
                        [0, 25, 30, 5, 40], [0, 40, 55, 5, 0]],
                       index=[f"R{i}" for i in range(1, 6)], columns=[f"I{i}" for i in range(1, 6)])
RNG = np.random.default_rng(7)
RANDOM = pd.DataFrame(RNG.integers(1, 100, size=(6, 4)), index=list("abcdef"), columns=list("wxyz"))
LISTINGS = pd.DataFrame([[1, 1, 0, 0], [1, 1, 1, 0], [0, 1, 1, 1], [1, 0, 0, 1]],
                        index=list("pqrs"), columns=list("ABCD"))


def test_location_quotient_by_another_route():
    x = ECONGEO.to_numpy(float)
    expected = x * x.sum() / np.outer(x.sum(axis=1), x.sum(axis=0))  # x_ri X / (x_r X_i)
    assert np.allclose(location_quotient(ECONGEO).to_numpy(), expected)
    assert location_quotient(ECONGEO, binary=True).loc["R2"].tolist() == [0, 0, 0, 1, 0]


def test_location_quotient_with_a_larger_reference_economy():
    sub = ECONGEO.loc[["R2", "R3"]]
    totals, total = ECONGEO.sum(), ECONGEO.to_numpy().sum()
    lq = location_quotient(sub, reference=totals, total=total)
    assert np.allclose(lq.to_numpy(), location_quotient(ECONGEO).loc[["R2", "R3"]].to_numpy())
    # the rows present alone are a different economy and give different quotients
    assert not np.allclose(location_quotient(sub).to_numpy(), lq.to_numpy())


@pytest.mark.parametrize("fn", [location_quotient, specialisation.regional, specialisation.bilateral,
                                similarity.coefficient, concentration.hoover, concentration.gini,
                                concentration.entropy, complexity.rca])
def test_amount_indices_refuse_binary_listings_and_gaps(fn):
    with pytest.raises(UndefinedInput, match="binary listings"):
        fn(LISTINGS)
    gap = RANDOM.astype(float)
    gap.iloc[1, 2] = np.nan
    with pytest.raises(UndefinedInput, match="whole reference economy"):
        fn(gap)
    assert fn(as_values(LISTINGS)) is not None  # declared amounts are accepted


def test_krugman_regional_and_bilateral():
    s = RANDOM.div(RANDOM.sum(axis=1), axis=0).to_numpy()
    total = RANDOM.sum().to_numpy() / RANDOM.to_numpy().sum()
    assert np.allclose(specialisation.regional(RANDOM), [np.abs(r - total).sum() for r in s])
    rest = [np.abs(s[i] - (RANDOM.drop(RANDOM.index[i]).sum() / RANDOM.drop(RANDOM.index[i]).to_numpy().sum()
                           ).to_numpy()).sum() for i in range(len(s))]
    assert np.allclose(specialisation.regional(RANDOM, against="rest"), rest)
    k = specialisation.bilateral(RANDOM)
    assert k.loc["a", "c"] == pytest.approx(np.abs(s[0] - s[2]).sum()) and (np.diag(k) == 0).all()
    # REAT krugman.spec: no industry in common gives the maximum, 2
    reat = pd.DataFrame([[20, 10, 70, 0, 0], [0, 0, 0, 60, 40]], index=["j", "l"])
    assert specialisation.bilateral(reat).loc["j", "l"] == pytest.approx(2.0)


def test_structure_similarity_is_the_cosine_of_shares():
    sc = similarity.coefficient(RANDOM)
    shares = RANDOM.div(RANDOM.sum(axis=1), axis=0)
    assert sc.loc["b", "e"] == pytest.approx(1 - cosine(shares.loc["b"], shares.loc["e"]))
    assert np.allclose(np.diag(sc), 1.0)
    ref = similarity.against_reference(RANDOM, RANDOM.sum())
    assert ref["d"] == pytest.approx(1 - cosine(shares.loc["d"], RANDOM.sum()))
    long = similarity.pairs(RANDOM)
    assert len(long) == 15 and set(long.columns) == {"a", "b", "structure_similarity", "krugman"}


def test_hoover_gini_entropy_against_other_formulas():
    x = ECONGEO.to_numpy(float)
    w = x.sum(axis=1) / x.sum()
    for k, col in enumerate(ECONGEO.columns):
        y = x[:, k] / x[:, k].sum()
        lq = y / w
        pairwise = 0.5 * (np.outer(w, w) * np.abs(lq[:, None] - lq[None, :])).sum()
        assert concentration.gini(ECONGEO)[col] == pytest.approx(pairwise)
        assert concentration.hoover(ECONGEO)[col] == pytest.approx(0.5 * np.abs(y - w).sum())
    # an industry spread exactly like the economy is not concentrated at all
    even = pd.DataFrame({"i": [10, 20, 70], "j": [30, 60, 210]})
    assert np.allclose(concentration.gini(even), 0) and np.allclose(concentration.hoover(even), 0)
    assert concentration.entropy(RANDOM)["c"] == pytest.approx(scipy_entropy(RANDOM.loc["c"]))
    assert concentration.relative_entropy(RANDOM)["f"] == pytest.approx(
        scipy_entropy(RANDOM.loc["f"], RANDOM.sum()))


def test_rca_presence_proximity_and_relatedness_density():
    assert np.allclose(complexity.rca(ECONGEO), location_quotient(ECONGEO))
    m = complexity.presence(ECONGEO)
    assert m.loc["R1"].tolist() == [1, 0, 0, 0, 0] and m.attrs["kind"] == "binary"
    phi = complexity.proximity(LISTINGS)
    x = LISTINGS.to_numpy()
    for a in range(4):
        for b in range(4):
            both = (x[:, a] & x[:, b]).sum()
            expected = min(both / x[:, a].sum(), both / x[:, b].sum())  # min conditional probability
            assert phi.iat[a, b] == pytest.approx(expected)
    rd = complexity.relatedness_density(LISTINGS)
    p = phi.to_numpy().copy()
    np.fill_diagonal(p, 0)
    for r in range(4):
        for k in range(4):
            assert rd.iat[r, k] == pytest.approx(100 * sum(x[r, l] * p[k, l] for l in range(4)) / p[k].sum())
    with pytest.raises(UndefinedInput, match="binary presence"):
        complexity.proximity(RANDOM)


def test_eci_eigenvector_agrees_with_the_method_of_reflections():
    rng = np.random.default_rng(11)
    x = (rng.random((20, 12)) < 0.35).astype(int)
    x[:, 0] = 1  # one ubiquitous industry keeps the graph connected
    m = pd.DataFrame(x)
    assert np.corrcoef(complexity.eci(m), complexity.reflections(m, 40))[0, 1] > 0.999
    assert np.corrcoef(complexity.eci(m), x.sum(axis=1))[0, 1] > 0


def test_eci_refuses_what_the_data_cannot_support():
    blocks = pd.DataFrame([[1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 1, 1], [0, 0, 1, 1]])
    with pytest.raises(UndefinedInput, match="disconnected"):
        complexity.eci(blocks)
    with pytest.raises(UndefinedInput, match="present at least once"):
        complexity.eci(pd.DataFrame([[1, 0], [1, 0], [1, 0]]))
    with pytest.raises(UndefinedInput, match="binary presence"):
        complexity.eci(RANDOM)


def test_co_listing_significance_uses_the_null_model():
    # 12 regions; industries A and B always come together in four of them
    rows = [[1, 1, 0, 0, 0]] * 4 + [[0, 0, 1, 0, 0], [0, 0, 0, 1, 0], [0, 0, 1, 1, 0],
                                    [0, 0, 0, 0, 1], [0, 0, 1, 0, 1], [0, 0, 0, 1, 1],
                                    [0, 0, 1, 1, 1], [0, 0, 1, 0, 0]]
    m = pd.DataFrame(rows, columns=list("ABCDE"))
    sig = complexity.proximity_significance(m, samples=500, seed=3).set_index(["a", "b"])
    assert sig.loc[("A", "B"), "co_occurrence"] == 4 and sig.loc[("A", "B"), "proximity"] == 1.0
    assert sig.loc[("A", "B"), "p_empirical"] < 0.01 and bool(sig.loc[("A", "B"), "significant"])
    assert not sig.drop(index=("A", "B"))["significant"].any()


def test_homogeneity_share_indices_on_a_hand_made_graph():
    from kg.analysis import homogeneity
    from kg.model.graph import add_node, new_graph
    from kg.model.statistics import add_statistic

    g = new_graph()
    shares = {"440307": (0.02, 64.21, 35.77), "440306": (0.1, 47.0, 52.9), "440304": (0.0, 5.0, 95.0)}
    for code, values in shares.items():
        add_node(g, code, ["Place", "County"], name=code)
        for sector, v in zip(homogeneity.SECTORS, values):   # shares are Statistic facts
            add_statistic(g, code, sector, 2024, v, "%", "yearbook")
    add_node(g, "440305", ["Place", "County"], name="no shares")
    add_statistic(g, "440305", homogeneity.SECTORS[0], 2024, 1.0, "%", "yearbook")  # one of three
    table = homogeneity.sector_shares(g)
    assert list(table.index) == ["440304", "440306", "440307"]
    pairs = homogeneity.share_indices(table).set_index(["a", "b"])
    a, b = np.array(shares["440306"]) / 100.0, np.array(shares["440307"]) / 100.0
    a, b = a / a.sum(), b / b.sum()
    assert pairs.loc[("440306", "440307"), "structure_similarity"] == pytest.approx(1 - cosine(a, b))
    assert pairs.loc[("440306", "440307"), "krugman"] == pytest.approx(np.abs(a - b).sum())
    assert homogeneity.share_indices(table.iloc[:1]).empty


def test_sector_shares_read_the_statistic_facts_of_the_built_graph(graph):
    """龙岗区's 三次产业结构 0.02:64.21:35.77 (2024, data/statistics.csv) is read from its
    Statistic facts. It is the only place in 深圳 with all three shares, so 深圳's table
    falls back to two sectors (tertiary against the rest), in the latest year that has them."""
    from kg.analysis import homogeneity

    table = homogeneity.sector_shares(graph, "440300")
    assert table.attrs["sectors"] == 2 and table.attrs["year"] == 2024
    assert table.loc["440307"].tolist() == pytest.approx([100 - 35.77, 35.77])
