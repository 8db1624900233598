"""Is an overlap more than chance? A degree-preserving null model of the place–industry graph.

Two places that both list 高端装备 share an industry, but if nearly every place lists it
the overlap says little. The null model keeps what is given — how many industries each
place lists and how many places list each industry — and shuffles who lists what, with
the *curveball* algorithm (Strona et al. 2014): pick two places, pool the industries
only one of them lists, and deal them back at random in the same numbers. Every trade
keeps both degree sequences exactly; many trades give a uniform random bipartite graph
with those degrees.

``overlap_significance`` compares each pair's observed number of shared industries with
its distribution over ``samples`` such graphs:

- ``p_empirical = (1 + #null ≥ observed) / (1 + samples)``: the permutation test's p-value
  (valid whatever the null distribution's shape, never below ``1 / (samples + 1)``);
- ``q_value``: Benjamini–Hochberg adjustment of ``p_empirical`` across the pairs tested;
- ``significant``: ``q_value < alpha``. With ``n`` pairs the smallest reachable q is
  about ``n / (samples + 1)``: more pairs need more samples (``min_samples``);
- ``z`` and ``p_value``: the observed overlap against the null mean and standard deviation
  (normal approximation with a continuity correction), descriptive only: a normal tail of
  a discrete, skewed count is not a p-value to correct and decide on.

A seed makes it reproducible.

>>> import numpy as np
>>> m = np.array([[1, 1, 0], [1, 1, 0], [0, 0, 1]])
>>> null = null_matrices(m, samples=5, seed=1)
>>> [x.sum(axis=1).tolist() for x in null][:2]  # row degrees kept
[[2, 2, 1], [2, 2, 1]]
>>> bool((null[0].sum(axis=0) == m.sum(axis=0)).all())  # column degrees kept
True
"""
from __future__ import annotations

import random

import numpy as np
import pandas as pd
from scipy import stats


def _trade(rows: list[set], a: int, b: int, rng: random.Random) -> None:
    only_a, only_b = rows[a] - rows[b], rows[b] - rows[a]
    if not only_a or not only_b:
        return
    pool = sorted(only_a | only_b)
    rng.shuffle(pool)
    shared = rows[a] & rows[b]
    k = len(only_a)
    rows[a] = shared | set(pool[:k])
    rows[b] = shared | set(pool[k:])


def curveball(rows: list[set], trades: int, rng: random.Random) -> None:
    """``trades`` curveball trades on ``rows`` (a list of column-index sets), in place."""
    n = len(rows)
    if n < 2:
        return
    pick = rng.randrange
    for _ in range(trades):
        a, b = pick(n), pick(n - 1)
        b += b >= a  # two distinct rows, uniformly
        _trade(rows, a, b, rng)


def null_matrices(m: np.ndarray, samples: int = 1000, seed: int = 0,
                  trades_per_sample: int | None = None) -> list[np.ndarray]:
    """``samples`` random 0/1 matrices with the row and column sums of ``m``."""
    m = np.asarray(m)
    rng = random.Random(seed)
    rows = [set(np.flatnonzero(r).tolist()) for r in m]
    trades = trades_per_sample or max(5 * len(rows), 10)
    curveball(rows, 10 * trades, rng)  # burn-in away from the observed graph
    out = []
    for _ in range(samples):
        curveball(rows, trades, rng)
        x = np.zeros(m.shape, dtype=np.int64)
        for i, cols in enumerate(rows):
            x[i, sorted(cols)] = 1
        out.append(x)
    return out


def benjamini_hochberg(p: np.ndarray) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values (q-values)."""
    p = np.asarray(p, dtype=float)
    n = len(p)
    if n == 0:
        return p
    order = np.argsort(p)
    ranked = p[order] * n / np.arange(1, n + 1)
    q = np.minimum.accumulate(ranked[::-1])[::-1]
    out = np.empty(n)
    out[order] = np.minimum(q, 1.0)
    return out


def overlap_significance(matrix: pd.DataFrame, samples: int = 1000, seed: int = 0,
                         alpha: float = 0.05) -> pd.DataFrame:
    """For each pair of rows sharing at least one column: observed shared count, its mean
    under the null model, ``p_empirical``, its BH ``q_value`` and ``significant`` (q < alpha)."""
    m = matrix.to_numpy(dtype=np.int64)
    keys = list(matrix.index)
    observed = m @ m.T
    iu = np.triu_indices(len(keys), k=1)
    mask = observed[iu] > 0
    ia, ib = iu[0][mask], iu[1][mask]
    obs = observed[ia, ib]
    exceed = np.zeros(len(obs))
    total = np.zeros(len(obs))
    squares = np.zeros(len(obs))
    for x in null_matrices(m, samples=samples, seed=seed):
        shared = (x @ x.T)[ia, ib]
        exceed += shared >= obs
        total += shared
        squares += shared.astype(float) ** 2
    n = max(samples, 1)
    mean = total / n
    sd = np.sqrt(np.maximum(squares / n - mean ** 2, 0.0))
    p_emp = (1 + exceed) / (1 + samples)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(sd > 0, (obs - mean) / sd, np.where(obs > mean, np.inf, 0.0))
        zc = np.where(sd > 0, (obs - 0.5 - mean) / sd, np.where(obs > mean, np.inf, -np.inf))
    p = stats.norm.sf(zc)
    q = benjamini_hochberg(p_emp)
    return pd.DataFrame({"a": [keys[i] for i in ia], "b": [keys[j] for j in ib],
                         "shared": obs, "expected": mean, "z": z, "p_empirical": p_emp,
                         "p_value": p, "q_value": q,
                         "significant": q < alpha})


def min_samples(pairs: int, alpha: float = 0.05) -> int:
    """Null samples needed so that one pair beating every sample can reach q < alpha
    among ``pairs`` tests: ``pairs / (samples + 1) < alpha``.

    >>> min_samples(435)
    8700
    """
    return int(pairs / alpha)
