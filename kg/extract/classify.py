"""A small logistic-regression classifier over relation candidates.

Each candidate (from ``patterns`` or ``pairs``) is described by string features:
its relation type, mechanism or pattern id, trigger, labels, the characters
between the two entities (bigrams), distance and order relative to the trigger.
Every feature is also conjoined with the relation type (``SPILLOVER_TO|gap=、``),
so one model serves all types. The model is a JSON file of weights
(``model/relations.json``, written by ``kg/extract/train.py`` with a fixed seed);
scoring is a dot product and a logistic, with no scikit-learn at run time.

>>> m = Model({"type=CORE_OF": 2.0, "CORE_OF|trig=核心": 1.0}, bias=-1.0)
>>> round(m.probability(features("CORE_OF", ["trig=核心"])), 3)
0.881
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

MODEL_FILE = "model/relations.json"
_UNCONJOINED = ()
_DROPPED = ("bg=", "tw=", "cg=")


def features(rel_type: str, feats: list[str]) -> list[str]:
    """The classifier's features: the type, each feature, and each feature conjoined with the type."""
    out = {f"type={rel_type}"}
    for f in feats:
        if f.startswith(_DROPPED):
            continue          # character bigrams: dropped, they fit one document's wording (LODO)
        out.add(f)
        if not f.startswith(_UNCONJOINED):
            out.add(f"{rel_type}|{f}")
    return sorted(out)


@dataclass
class Model:
    weights: dict[str, float]
    bias: float = 0.0
    meta: dict | None = None

    def probability(self, feats: list[str]) -> float:
        z = self.bias + sum(self.weights.get(f, 0.0) for f in feats)
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def to_json(self) -> str:
        return json.dumps({"meta": self.meta or {}, "bias": round(self.bias, 5),
                           "weights": {k: round(v, 5) for k, v in sorted(self.weights.items())}},
                          ensure_ascii=False, indent=0) + "\n"


@lru_cache(maxsize=1)
def load_model() -> Model | None:
    """The packaged model, or None before one was trained."""
    res = resources.files("kg.extract").joinpath(MODEL_FILE)
    if not res.is_file():
        return None
    data = json.loads(res.read_text(encoding="utf-8"))
    return Model(data["weights"], data["bias"], data.get("meta"))
