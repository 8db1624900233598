"""Geographic concentration and diversity: Hoover, locational Gini, entropy.

For industry k with regional shares ``y_r = x_rk / X_k`` and the regions' shares of the
reference economy ``w_r = x_r / X`` (``LQ_rk = y_r / w_r``):

- ``hoover``: coefficient of localisation ``H_k = ½ Σ_r |y_r − w_r|`` (0 = spread like the
  economy, → 1 = all in a region that is a tiny part of it);
- ``gini``: locational Gini, the Gini of the concentration curve (regions sorted by LQ,
  cumulative ``y`` against cumulative ``w``; REAT ``gini.conc``); equivalently
  ``½ Σ_r Σ_s w_r w_s |LQ_r − LQ_s|``, the formula the tests check it against;
- ``entropy``: Shannon entropy ``−Σ_k s_rk ln s_rk`` of each region's industry shares
  (diversity; 0 = one industry, ln K = even), and ``relative_entropy`` (Theil, the
  Kullback–Leibler divergence of a region's shares from the reference economy's).

All need amounts; binary listings are refused.

The data of REAT's ``gini.conc`` example (Farhauer/Kroell 2013): one industry in five regions
(values computed here, and by the pairwise formula in the tests).

>>> import pandas as pd
>>> t = pd.DataFrame({"i": [500, 500, 1000, 7000, 1000],
...                   "other": [19500, 14500, 19000, 33000, 4000]})
>>> round(float(gini(t)["i"]), 4), round(float(hoover(t)["i"]), 4)
(0.3725, 0.35)
>>> round(float(entropy(pd.DataFrame([[5, 5, 5, 5]], columns=list("abcd")))[0]), 4)  # ln 4
1.3863
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from kg.analysis.inputs import VALUES, check

INPUT = VALUES


def _series(values, index, name) -> pd.Series:
    out = pd.Series(values, index=index, name=name)
    out.attrs.update({"input": VALUES, "index": name})
    return out


def hoover(table: pd.DataFrame) -> pd.Series:
    """``H_k`` of every column (industry)."""
    x = check(table, VALUES, min_rows=2)
    w = x.sum(axis=1) / x.sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        y = x / x.sum(axis=0, keepdims=True)
    return _series(0.5 * np.abs(y - w[:, None]).sum(axis=0), table.columns, "hoover")


def gini(table: pd.DataFrame) -> pd.Series:
    """Locational Gini of every column, from the concentration curve (trapezoids)."""
    x = check(table, VALUES, min_rows=2)
    w = x.sum(axis=1) / x.sum()
    out = []
    for k in range(x.shape[1]):
        col = x[:, k]
        if col.sum() == 0:
            out.append(np.nan)
            continue
        y = col / col.sum()
        order = np.argsort(y / w, kind="stable")
        cw = np.concatenate([[0.0], np.cumsum(w[order])])
        cy = np.concatenate([[0.0], np.cumsum(y[order])])
        out.append(1.0 - float(np.sum((cw[1:] - cw[:-1]) * (cy[1:] + cy[:-1]))))
    return _series(out, table.columns, "locational_gini")


def entropy(table: pd.DataFrame) -> pd.Series:
    """Shannon entropy of every row's industry shares (natural log)."""
    x = check(table, VALUES)
    s = x / x.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(s > 0, s * np.log(s), 0.0)
    return _series(-terms.sum(axis=1), table.index, "entropy")


def relative_entropy(table: pd.DataFrame) -> pd.Series:
    """Theil index of every row: ``Σ_k s_rk ln(s_rk / S_k)`` against the table's totals."""
    x = check(table, VALUES, min_rows=2)
    s = x / x.sum(axis=1, keepdims=True)
    ref = x.sum(axis=0) / x.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(s > 0, s * np.log(s / ref), 0.0)
    return _series(terms.sum(axis=1), table.index, "relative_entropy")
