"""产业结构相似系数: the UNIDO structure-similarity coefficient.

``S_rl = Σ_k s_rk s_lk / sqrt(Σ_k s_rk² · Σ_k s_lk²)`` on industry shares ``s_rk``
(UNIDO 1979; in Chinese work on 产业同构 usually computed on output or value-added
shares). 1 = the same structure, 0 = no industry in common. It is the cosine of the
two share vectors; on binary listings it would only count shared industries, so it
is refused there (the homogeneity report uses Jaccard and cosine of listings instead).

>>> import pandas as pd
>>> t = pd.DataFrame([[30, 60, 10], [15, 30, 5], [0, 0, 40]], index=["a", "b", "c"])
>>> s = coefficient(t)
>>> round(float(s.loc["a", "b"]), 6), round(float(s.loc["a", "c"]), 4)
(1.0, 0.1474)
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from kg.analysis.inputs import VALUES, check, frame

INPUT = VALUES


def coefficient(table: pd.DataFrame) -> pd.DataFrame:
    """``S_rl`` for every pair of rows (symmetric, 1 on the diagonal)."""
    x = check(table, VALUES, min_rows=2)
    s = x / x.sum(axis=1, keepdims=True)
    norm = np.sqrt((s ** 2).sum(axis=1))
    out = frame((s @ s.T) / np.outer(norm, norm), table, VALUES, "structure_similarity", square=True)
    return out


def against_reference(table: pd.DataFrame, reference: pd.Series) -> pd.Series:
    """``S`` of every row against one reference structure (e.g. the nation's shares)."""
    x = check(table, VALUES)
    ref = check(pd.DataFrame([pd.Series(reference, dtype=float).reindex(table.columns).to_numpy()]),
                VALUES)[0]
    s, r = x / x.sum(axis=1, keepdims=True), ref / ref.sum()
    out = pd.Series((s @ r) / (np.sqrt((s ** 2).sum(axis=1)) * np.sqrt((r ** 2).sum())),
                    index=table.index, name="structure_similarity")
    out.attrs.update({"input": VALUES, "index": "structure_similarity_reference"})
    return out


def pairs(table: pd.DataFrame) -> pd.DataFrame:
    """Long form of ``coefficient`` and ``krugman.bilateral``: one row per pair a < b."""
    from kg.analysis import specialisation

    s, k = coefficient(table), specialisation.bilateral(table)
    keys = list(s.index)
    rows = [{"a": keys[i], "b": keys[j], "structure_similarity": float(s.iat[i, j]),
             "krugman": float(k.iat[i, j])}
            for i in range(len(keys)) for j in range(i + 1, len(keys))]
    return pd.DataFrame(rows, columns=["a", "b", "structure_similarity", "krugman"])
