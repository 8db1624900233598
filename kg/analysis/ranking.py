"""Agreement between a computed city ranking and a published one.

``rank_agreement(ours, published)`` takes two rankings over cities (1 = top; ties
allowed, as in GaWC's classes where every Beta city shares one tier) and returns, over
the cities both contain, Spearman's ρ (Pearson correlation of the average ranks) and
Kendall's τ-b (which corrects for ties), each with its two-sided p-value, computed by
``scipy.stats``. ``top_overlap`` says how many of a published top list a computed top
list holds.

A positive ρ means the rankings agree (both put the same cities near 1).

>>> ours = {"a": 1, "b": 2, "c": 3, "d": 4, "e": 5}
>>> published = {"a": 1, "b": 1, "c": 2, "d": 3, "e": 3, "x": 9}   # x: not in ours
>>> r = rank_agreement(ours, published)
>>> r["n"], round(r["spearman"], 4), round(r["kendall"], 4)
(5, 0.9487, 0.8944)
>>> top_overlap(["a", "c", "q"], ["a", "b", "c"])
(2, ['a', 'c'], ['b'])
"""
from __future__ import annotations

from typing import Mapping, Sequence

from scipy import stats


def rank_agreement(ours: Mapping[str, float], published: Mapping[str, float]) -> dict:
    """Spearman ρ and Kendall τ-b (with p-values) over the cities in both rankings."""
    common = sorted(set(ours) & set(published))
    if len(common) < 3:
        raise ValueError(f"only {len(common)} cities in both rankings; need at least 3")
    x = [float(ours[c]) for c in common]
    y = [float(published[c]) for c in common]
    rho = stats.spearmanr(x, y)
    tau = stats.kendalltau(x, y, variant="b")
    return {"n": len(common), "cities": common, "spearman": float(rho.statistic),
            "spearman_p": float(rho.pvalue), "kendall": float(tau.statistic),
            "kendall_p": float(tau.pvalue)}


def top_overlap(ours_top: Sequence[str], published_top: Sequence[str]) -> tuple[int, list, list]:
    """(how many of ``published_top`` are in ``ours_top``, those, the missing ones)."""
    inside = [c for c in ours_top if c in set(published_top)]
    missing = [c for c in published_top if c not in set(ours_top)]
    return len(inside), inside, missing
