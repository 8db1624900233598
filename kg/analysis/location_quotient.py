"""Location quotient (Hoover–Balassa): how over-represented an industry is in a region.

``LQ_ri = (x_ri / x_r) / (X_i / X)``: the industry's share of the region, over its share
of the **reference economy**. The reference economy is the whole economy the indicator
covers: by default every row of the table (a region × industry table of amounts, every
cell known, zeros included), so the totals are ``X_i = Σ_r x_ri`` and ``X = Σ x``. When
the table holds only some regions of a larger economy, pass that economy's totals as
``reference`` (industry totals, and ``total``) instead: the rows present are then *not*
the denominator. Needs amounts (output, value added, employment); refuses binary listings.

The example is EconGeo's ``location_quotient`` matrix (Balland); R1 holds all of I1:

>>> import pandas as pd
>>> mat = pd.DataFrame([[100, 0, 0, 0, 0], [0, 15, 5, 70, 10], [0, 20, 10, 20, 50],
...                     [0, 25, 30, 5, 40], [0, 40, 55, 5, 0]],
...                    index=["R1", "R2", "R3", "R4", "R5"], columns=["I1", "I2", "I3", "I4", "I5"])
>>> lq = location_quotient(mat)
>>> round(float(lq.loc["R1", "I1"]), 6), round(float(lq.loc["R2", "I4"]), 6), lq.attrs["input"]
(5.0, 3.5, 'values')
>>> location_quotient(mat, reference={"I1": 200, "I2": 100, "I3": 100, "I4": 100, "I5": 100},
...                   total=1000).loc["R1", "I1"].item()
5.0
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from kg.analysis.inputs import VALUES, UndefinedInput, check, frame

INPUT = VALUES


def location_quotient(table: pd.DataFrame, reference: dict | pd.Series | None = None,
                      total: float | None = None, binary: bool = False) -> pd.DataFrame:
    """LQ of every cell; ``binary=True`` returns 1 where LQ >= 1 (EconGeo's ``binary``)."""
    x = check(table, VALUES)
    shares = x / x.sum(axis=1, keepdims=True)
    if reference is None:
        ref = x.sum(axis=0) / x.sum()
    else:
        if total is None or total <= 0:
            raise UndefinedInput("a reference economy needs its total (e.g. its GDP) as well")
        ref_s = pd.Series(reference, dtype=float)
        missing = [c for c in table.columns if c not in ref_s.index]
        if missing:
            raise UndefinedInput(f"the reference economy has no total for {missing}")
        ref = ref_s.reindex(table.columns).to_numpy() / float(total)
        if (x.sum(axis=0) > ref_s.reindex(table.columns).to_numpy() + 1e-9).any():
            raise UndefinedInput("the regions hold more of an industry than the reference economy")
    with np.errstate(divide="ignore", invalid="ignore"):
        lq = np.where(ref > 0, shares / ref, np.nan)
    if binary:
        lq = (lq >= 1).astype(int)
    return frame(lq, table, VALUES, "location_quotient")
