"""What an index is computed from, and refusing what it is not defined for.

Indices of specialisation and similarity take a region × industry table. Two kinds
of table reach them from the graph:

- ``BINARY``: listings (a place *plans* or *specialises in* an industry: 0/1). They say
  *which* industries, not *how much*; shares of output cannot be read off them.
- ``VALUES``: output, value added or employment (non-negative amounts); shares and
  quotients are defined.

``check(table, need)`` returns the table as floats, or raises ``UndefinedInput``
naming the problem. A DataFrame says its kind in ``attrs["kind"]`` (the homogeneity
matrix is ``binary``); a table of only 0 and 1 without that attribute is taken as
binary too, so that listings are never read as amounts by accident.

>>> import pandas as pd
>>> check(pd.DataFrame([[1.0, 3.0]]), VALUES).tolist()
[[1.0, 3.0]]
>>> check(pd.DataFrame([[1, 0], [0, 1]]), VALUES)
Traceback (most recent call last):
...
kg.analysis.inputs.UndefinedInput: this index needs amounts (output, value added or employment); the table holds binary listings (0/1), for which shares are not defined
"""
from __future__ import annotations

import numpy as np
import pandas as pd

BINARY = "binary"
VALUES = "values"
KINDS = (BINARY, VALUES)


class UndefinedInput(ValueError):
    """An index asked of a table it is not defined for."""


def kind_of(table) -> str:
    """``binary`` or ``values``: the declared kind, else binary iff every cell is 0 or 1."""
    declared = getattr(table, "attrs", {}).get("kind") if isinstance(table, pd.DataFrame) else None
    if declared:
        if declared not in KINDS:
            raise UndefinedInput(f"unknown input kind {declared!r} (binary or values)")
        return declared
    x = np.asarray(table, dtype=float)
    return BINARY if x.size and np.isin(x, (0.0, 1.0)).all() else VALUES


def as_values(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` declared as amounts (e.g. output that happens to be 0/1 in a doctest)."""
    out = table.copy()
    out.attrs["kind"] = VALUES
    return out


def check(table, need: str, min_rows: int = 1) -> np.ndarray:
    """``table`` as a float array if an index needing ``need`` is defined for it."""
    x = np.asarray(table, dtype=float)
    if x.ndim != 2 or x.shape[0] < min_rows or x.shape[1] < 1:
        raise UndefinedInput(f"this index needs a region × industry table with at least {min_rows} "
                             f"row(s) and one column, not shape {x.shape}")
    if np.isnan(x).any():
        raise UndefinedInput("the table has missing cells: the indicator does not cover the "
                             "whole reference economy (fill known zeros, drop unknown regions)")
    if (x < 0).any():
        raise UndefinedInput("the table has negative amounts")
    kind = kind_of(table)
    if need == VALUES and kind == BINARY:
        raise UndefinedInput("this index needs amounts (output, value added or employment); the "
                             "table holds binary listings (0/1), for which shares are not defined")
    if need == BINARY and kind != BINARY:
        raise UndefinedInput("this index needs a binary presence table (0/1); threshold the amounts "
                             "first (e.g. RCA >= 1)")
    if need == VALUES and (x.sum(axis=1) == 0).any():
        raise UndefinedInput("a region has no amount in any industry: its shares are undefined")
    return x


def frame(values: np.ndarray, like: pd.DataFrame, kind: str, index_kind: str,
          square: bool = False) -> pd.DataFrame:
    """A result table with ``like``'s labels (rows × rows if ``square``) and attrs saying
    what it was computed from."""
    rows = getattr(like, "index", None)
    out = pd.DataFrame(values, index=rows, columns=rows if square else getattr(like, "columns", None))
    out.attrs.update({"input": kind, "index": index_kind})
    return out
