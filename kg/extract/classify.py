"""A small logistic-regression classifier over relation candidates.

Each candidate (from ``patterns`` or ``pairs``) is described by string features:
its relation type, mechanism or pattern id, trigger, labels, the characters
between the two entities (bigrams), distance and order relative to the trigger.
Every feature is also conjoined with the relation type (``SPILLOVER_TO|gap=、``),
so one model serves all types. The model is a JSON file of weights
(``model/relations.json``, written by ``kg/extract/train.py`` with a fixed seed);
scoring is a dot product and a logistic, with no scikit-learn at run time.

A candidate also belongs to a *family* (``family``: its type and how it was found, e.g.
``SPECIALIZES_IN:spec`` for a general specialisation pair that no pattern confirms). The
model's ``gates`` cap the confidence of the families whose out-of-fold (leave-one-document-out)
precision was low, so a family that fails on unseen documents is sent to review however
confident the weights are.

>>> m = Model({"type=CORE_OF": 2.0, "CORE_OF|trig=核心": 1.0}, bias=-1.0)
>>> round(m.probability(features("CORE_OF", ["trig=核心"])), 3)
0.881
>>> family(features("CORE_OF", ["mech=core", "gsrc=topic", "trig=核心"]))
'CORE_OF:core/topic'
>>> Model(m.weights, -1.0, gates={"CORE_OF:core/topic": 0.2}).probability(
...     features("CORE_OF", ["mech=core", "gsrc=topic", "trig=核心"]))
0.2
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
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


def family(feats: list[str]) -> str:
    """A candidate's family, from its classifier features: ``TYPE:pat`` where a pattern found it,
    else ``TYPE:<mechanisms>`` with the source of its grouping (``/topic``, ``/sent-before``…)."""
    base = [f for f in feats if "|" not in f]
    rel_type = next((f[5:] for f in base if f.startswith("type=")), "?")
    if any(f.startswith("pat=") for f in base):
        return f"{rel_type}:pat"
    mechs = "+".join(sorted(f[5:] for f in base if f.startswith("mech=")))
    srcs = sorted(f[5:] for f in base if f.startswith("gsrc="))
    return f"{rel_type}:{mechs}" + (f"/{srcs[0]}" if srcs else "")


@dataclass
class Model:
    weights: dict[str, float]
    bias: float = 0.0
    meta: dict | None = None
    gates: dict[str, float] = field(default_factory=dict)    # family -> highest confidence

    def probability(self, feats: list[str]) -> float:
        z = self.bias + sum(self.weights.get(f, 0.0) for f in feats)
        p = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
        if self.gates:
            cap = self.gates.get(family(feats))
            if cap is not None:
                p = min(p, cap)
        return p

    def to_json(self) -> str:
        return json.dumps({"meta": self.meta or {}, "bias": round(self.bias, 5),
                           "gates": {k: round(v, 3) for k, v in sorted(self.gates.items())},
                           "weights": {k: round(v, 5) for k, v in sorted(self.weights.items())}},
                          ensure_ascii=False, indent=0) + "\n"


@lru_cache(maxsize=1)
def load_model() -> Model | None:
    """The packaged model, or None before one was trained."""
    res = resources.files("kg.extract").joinpath(MODEL_FILE)
    if not res.is_file():
        return None
    data = json.loads(res.read_text(encoding="utf-8"))
    return Model(data["weights"], data["bias"], data.get("meta"), data.get("gates", {}))
