"""Krugman specialisation index, regional and bilateral.

With industry shares ``s_rk = x_rk / x_r`` of region r:

- regional ``K_r = Σ_k |s_rk − S_k|``, against the shares ``S_k`` of the reference economy:
  ``against="total"`` (every row, EconGeo's ``krugman_index``) or ``against="rest"``
  (every other row, Krugman 1991);
- bilateral ``K_rl = Σ_k |s_rk − s_lk|`` (REAT's ``krugman.spec``).

Both run from 0 (same structure) to 2 (no industry in common). They need amounts
(output, value added, employment): a binary listing has no shares, and is refused.

REAT's example (Farhauer/Kroell 2013, modified): two regions without a common industry:

>>> import pandas as pd
>>> t = pd.DataFrame([[20, 10, 70, 0, 0], [0, 0, 0, 60, 40]], index=["j", "l"])
>>> float(bilateral(t).loc["j", "l"])
2.0
>>> k = regional(pd.DataFrame([[50, 50], [50, 50], [100, 0]], index=["a", "b", "c"]))
>>> [round(float(v), 3) for v in k]
[0.333, 0.333, 0.667]
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from kg.analysis.inputs import VALUES, UndefinedInput, check, frame

INPUT = VALUES


def regional(table: pd.DataFrame, against: str = "total") -> pd.Series:
    """``K_r`` of every row against the whole table (``total``) or the other rows (``rest``)."""
    x = check(table, VALUES, min_rows=2)
    shares = x / x.sum(axis=1, keepdims=True)
    if against == "total":
        ref = np.broadcast_to(x.sum(axis=0) / x.sum(), x.shape)
    elif against == "rest":
        rest = x.sum(axis=0, keepdims=True) - x
        totals = rest.sum(axis=1, keepdims=True)
        if (totals == 0).any():
            raise UndefinedInput("a region is the whole economy: the rest has no shares")
        ref = rest / totals
    else:
        raise ValueError(f"against must be 'total' or 'rest', not {against!r}")
    out = pd.Series(np.abs(shares - ref).sum(axis=1), index=getattr(table, "index", None),
                    name="krugman")
    out.attrs.update({"input": VALUES, "index": f"krugman_regional_{against}"})
    return out


def bilateral(table: pd.DataFrame) -> pd.DataFrame:
    """``K_rl`` for every pair of rows (a symmetric matrix, zero diagonal)."""
    x = check(table, VALUES, min_rows=2)
    s = x / x.sum(axis=1, keepdims=True)
    k = np.abs(s[:, None, :] - s[None, :, :]).sum(axis=2)
    out = frame(k, table, VALUES, "krugman_bilateral", square=True)
    return out
