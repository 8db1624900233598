"""Revealed comparative advantage, relatedness and economic complexity.

- ``rca``: Balassa's RCA, ``(x_rk / x_r) / (X_k / X)`` — the location quotient of
  ``kg.analysis.location_quotient`` applied to amounts (output, exports, employment);
- ``presence``: the binary matrix ``M_rk = 1`` where RCA ≥ a threshold (1 by default).
  A binary listing (planned industries) *is* such a matrix already, taken as it is;
- ``proximity``: ``φ_kl = C_kl / max(u_k, u_l)``, co-occurrence over the larger ubiquity
  (Hidalgo et al. 2007: the smaller of the two conditional probabilities);
- ``relatedness_density``: ``100 · Σ_{l≠k} M_rl φ_kl / Σ_{l≠k} φ_kl`` — how much of what
  is related to industry k region r already has (EconGeo's ``relatedness_density``);
- ``eci``: the Economic Complexity Index (Hidalgo & Hausmann 2009) by the eigenvector
  method: the eigenvector of the second-largest eigenvalue of
  ``M̃ = D⁻¹ M U⁻¹ Mᵀ`` (D, U: diversity and ubiquity), standardised and signed to
  correlate positively with diversity; ``reflections`` is the original method of
  reflections, which the tests compare it with.

``presence``/``proximity``/``relatedness_density``/``eci`` take a binary matrix;
``rca`` takes amounts. ECI is only defined where the data support it: every region
and industry present at least once, at least 3 regions and 2 industries, and a
connected region–industry graph (otherwise the second eigenvector only separates
the blocks); anything else raises ``UndefinedInput``.

A nested matrix: region a has everything, c only the ubiquitous industry.

>>> import pandas as pd
>>> m = pd.DataFrame([[1, 1, 1, 1], [1, 1, 1, 0], [1, 1, 0, 0], [1, 0, 0, 0]],
...                  index=list("abcd"), columns=["u", "v", "w", "z"])
>>> e = eci(m)
>>> list(e.sort_values(ascending=False).index), e.attrs["input"]
(['a', 'b', 'c', 'd'], 'binary')
>>> round(float(proximity(m).loc["u", "v"]), 3)   # 3 regions have both; u is in 4
0.75
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from kg.analysis.inputs import BINARY, VALUES, UndefinedInput, check, frame
from kg.analysis.location_quotient import location_quotient

INPUT = {"rca": VALUES, "presence": VALUES, "proximity": BINARY,
         "relatedness_density": BINARY, "eci": BINARY}


def rca(table: pd.DataFrame) -> pd.DataFrame:
    """Balassa RCA of every cell (amounts only)."""
    out = location_quotient(table)
    out.attrs["index"] = "rca"
    return out


def presence(table: pd.DataFrame, threshold: float = 1.0) -> pd.DataFrame:
    """``M_rk`` = 1 where RCA ≥ ``threshold``; declared binary."""
    m = (rca(table) >= threshold).astype(int)
    m.attrs.update({"kind": BINARY, "input": VALUES, "index": f"presence_rca>={threshold:g}"})
    return m


def proximity(m: pd.DataFrame) -> pd.DataFrame:
    """``φ_kl`` between every two columns of a binary matrix (1 on the diagonal)."""
    x = check(m, BINARY, min_rows=2)
    co = x.T @ x
    u = np.diag(co)
    with np.errstate(divide="ignore", invalid="ignore"):
        phi = np.where(np.maximum.outer(u, u) > 0, co / np.maximum.outer(u, u), 0.0)
    out = pd.DataFrame(phi, index=m.columns, columns=m.columns)
    out.attrs.update({"input": BINARY, "index": "proximity"})
    return out


def relatedness_density(m: pd.DataFrame, phi: pd.DataFrame | None = None) -> pd.DataFrame:
    """Relatedness density (0–100) of every region to every industry."""
    x = check(m, BINARY, min_rows=2)
    p = (proximity(m) if phi is None else phi.loc[m.columns, m.columns]).to_numpy(dtype=float).copy()
    np.fill_diagonal(p, 0.0)
    denom = p.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        rd = np.where(denom > 0, 100 * (x @ p) / denom, np.nan)
    return frame(rd, m, BINARY, "relatedness_density")


def _supported(m: pd.DataFrame) -> np.ndarray:
    x = check(m, BINARY, min_rows=3)
    if x.shape[1] < 2:
        raise UndefinedInput("ECI needs at least 2 industries")
    if (x.sum(axis=1) == 0).any() or (x.sum(axis=0) == 0).any():
        raise UndefinedInput("ECI needs every region and every industry present at least once "
                             "(drop the empty rows and columns first)")
    from scipy.sparse import bmat, csr_matrix
    from scipy.sparse.csgraph import connected_components

    b = csr_matrix(x)
    n, _ = connected_components(bmat([[None, b], [b.T, None]]), directed=False)
    if n > 1:
        raise UndefinedInput(f"ECI is not defined here: the region–industry graph falls into {n} "
                             "disconnected blocks")
    return x


def _standardise(v: np.ndarray, diversity: np.ndarray) -> np.ndarray:
    z = (v - v.mean()) / v.std()
    return -z if np.corrcoef(z, diversity)[0, 1] < 0 else z


def eci(m: pd.DataFrame) -> pd.Series:
    """Economic Complexity Index of every region (eigenvector method)."""
    x = _supported(m)
    kc, kp = x.sum(axis=1), x.sum(axis=0)
    mt = (x / kc[:, None]) @ (x / kp[None, :]).T
    values, vectors = np.linalg.eig(mt)
    order = np.argsort(-values.real)
    out = pd.Series(_standardise(vectors[:, order[1]].real, kc), index=m.index, name="eci")
    out.attrs.update({"input": BINARY, "index": "eci"})
    return out


def reflections(m: pd.DataFrame, iterations: int = 20) -> pd.Series:
    """The method of reflections, ``k_c,N`` standardised (``iterations`` even)."""
    x = _supported(m)
    kc0, kp0 = x.sum(axis=1), x.sum(axis=0)
    kc, kp = kc0.astype(float), kp0.astype(float)
    for _ in range(iterations):
        kc, kp = (x @ kp) / kc0, (x.T @ kc) / kp0
    out = pd.Series(_standardise(kc, kc0), index=m.index, name="eci_reflections")
    out.attrs.update({"input": BINARY, "index": "eci_reflections"})
    return out


def proximity_significance(m: pd.DataFrame, samples: int = 1000, seed: int = 0,
                           alpha: float = 0.05) -> pd.DataFrame:
    """Is a pair of industries listed together more often than chance? Co-occurrence of
    every pair of columns against the degree-preserving null model of
    ``kg.analysis.nullmodel`` (the same one as the homogeneity report; columns here):
    empirical p-values and their Benjamini–Hochberg q-values."""
    from kg.analysis import nullmodel

    check(m, BINARY, min_rows=2)
    sig = nullmodel.overlap_significance(m.T, samples=samples, seed=seed, alpha=alpha)
    phi = proximity(m)
    sig["proximity"] = [float(phi.loc[a, b]) for a, b in zip(sig["a"], sig["b"])]
    return sig.rename(columns={"shared": "co_occurrence"})
