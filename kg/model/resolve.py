"""Resolve a place reference to exactly one adcode, or say why not.

A reference is an adcode (``320106``), a name (``南京市``, short form ``南京``), or a
path of names from the top (``南京市/鼓楼区``, ``江苏省 南京市 鼓楼区``). A name that
several units carry (鼓楼区 ×4, 普陀区 in 上海 and 舟山) resolves only with a parent
in the path or a ``within`` adcode; otherwise ``AmbiguousPlace`` lists the candidates.
Nothing is ever guessed.

>>> from kg.model.graph import new_graph
>>> from kg.sources.backbone import add_backbone
>>> g = new_graph(); add_backbone(g); index = PlaceIndex(g)
>>> index.resolve("上海市/普陀区"), index.resolve("普陀区", within="330000")
('310107', '330903')
>>> index.resolve("鄂州")
'420700'
>>> try: index.resolve("普陀区")
... except AmbiguousPlace as exc: print(exc)
'普陀区' is ambiguous: 310107 上海市普陀区, 330903 浙江省舟山市普陀区; give an adcode or a parent (e.g. 上海市/普陀区)
"""
from __future__ import annotations

import difflib
import re
from collections import defaultdict

from kg.model import schema

_SHORTEN = re.compile(r"(省|市|特别行政区|维吾尔自治区|壮族自治区|回族自治区|自治区)$")
_SPLIT = re.compile(r"[/／\s>]+")


class PlaceError(ValueError):
    """A place reference that cannot be resolved to one unit."""


class UnknownPlace(PlaceError):
    pass


class AmbiguousPlace(PlaceError):
    def __init__(self, ref: str, candidates: list[tuple[str, str]], example: str = ""):
        self.ref, self.candidates = ref, candidates
        listed = ", ".join(f"{code} {path}" for code, path in candidates)
        # ``example`` is a reference that does resolve (PlaceIndex checks it); cutting it out
        # of the path text went wrong for long parents (呼和浩特市 -> "浩特市/新城区")
        hint = f" (e.g. {example})" if example else ""
        super().__init__(f"{ref!r} is ambiguous: {listed}; give an adcode or a parent{hint}")


def short_name(name: str) -> str | None:
    """鄂州市 -> 鄂州, 江苏省 -> 江苏; None when nothing sensible is left."""
    short = _SHORTEN.sub("", name)
    return short if short != name and len(short) >= 2 else None


class PlaceIndex:
    """Name -> adcodes index over the place nodes of a graph."""

    def __init__(self, g):
        self.g = g
        self.by_name: dict[str, set[str]] = defaultdict(set)
        self.parent: dict[str, str] = {}
        for code, d in g.nodes(data=True):
            if not schema.is_place(d):
                continue
            names = {d["name"], *d.get("aliases", [])}
            if schema.COUNTY not in d["labels"] and (s := short_name(d["name"])):
                names.add(s)
            for n in names:
                self.by_name[n].add(code)
        for u, v, d in g.edges(data=True):
            if d["type"] == schema.BELONGS_TO:
                self.parent[u] = v

    def ancestors(self, code: str) -> list[str]:
        out = []
        while code in self.parent:
            code = self.parent[code]
            out.append(code)
        return out

    def path(self, code: str) -> str:
        return "".join(self.g.nodes[c]["name"] for c in [*reversed(self.ancestors(code)), code])

    def _example(self, name: str, found: list[str]) -> str:
        """A ``parent/name`` reference that resolves to one of ``found``, for error messages
        (the unit's full name is used: 吉林省/吉林市, since 吉林 also names the province)."""
        for code in found:
            parent = self.parent.get(code)
            if parent is None or self.candidates(self.g.nodes[parent]["name"]) != [parent]:
                continue
            own = self.g.nodes[code]["name"]
            inside = [c for c in self.candidates(own) if c == parent or parent in self.ancestors(c)]
            if inside == [code]:
                return f"{self.g.nodes[parent]['name']}/{own}"
        return ""

    def candidates(self, name: str) -> list[str]:
        return sorted(self.by_name.get(name, ()))

    def resolve(self, ref: str, within: str | None = None) -> str:
        """The one adcode that ``ref`` names (inside ``within`` if given)."""
        ref = str(ref).strip()
        if re.fullmatch(r"\d{6}(\d{6})?", ref):
            code = ref[:6]
            if code not in self.g or not schema.is_place(self.g.nodes[code]):
                raise UnknownPlace(f"adcode {ref} is not an administrative unit")
            return code
        parts = [p for p in _SPLIT.split(ref) if p]
        if not parts:
            raise UnknownPlace("empty place reference")
        name = parts[-1]
        found = self.candidates(name)
        if not found:
            # no place name is longer than ~20 characters: a long value is garbage (a pasted
            # paragraph, a shifted column), so do not echo it whole or fuzzy-match it
            if len(name) > 40:
                raise UnknownPlace(f"unknown place name {name[:20]!r}... ({len(name)} characters)")
            close = difflib.get_close_matches(name, list(self.by_name), n=3)
            hint = f"; closest names: {', '.join(close)}" if close else ""
            # in a path ("南京市/鼓楼"), or text split at spaces, show what was written
            whole = f" (in {ref[:60]!r})" if len(parts) > 1 else ""
            raise UnknownPlace(f"unknown place name {name!r}{whole}{hint}")
        scopes = [self.resolve("/".join(parts[:-1]), within)] if len(parts) > 1 else []
        if within:
            scopes.append(within)
        for scope in scopes:
            found = [c for c in found if c == scope or scope in self.ancestors(c)]
        if not found:
            raise UnknownPlace(f"no {name!r} inside {'/'.join(parts[:-1]) or within}")
        if len(found) > 1:
            raise AmbiguousPlace(name, [(c, self.path(c)) for c in found], self._example(name, found))
        return found[0]
