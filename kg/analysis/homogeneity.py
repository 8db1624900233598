"""Industrial homogeneity (产业同质化): who lists the same industries, and is it more than chance.

Everything starts from the place × industry matrix read off ``SPECIALIZES_IN`` and
``PLANS_INDUSTRY`` (rows: places, parks, new areas; columns: industries; 1 = the graph
says the row lists the industry, with a source). From it:

- ``pairwise``: Jaccard and cosine similarity of every pair of rows;
- ``homogeneity_index``: mean pairwise similarity, the scope's most common industries and
  the share of members listing them (the form of the corpus's statements);
- ``competition_risks``: adjacent pairs (shared boundary) with high similarity;
- ``location_quotients``: where industry output and GDP are both in the graph;
- ``claims``: the corpus's homogeneity statements recomputed from the graph, with how far
  the loaded data allows it (``CLAIMS``).

Significance against a degree-preserving null model is in ``kg.analysis.nullmodel``,
communities ("homogeneity clusters") in ``kg.analysis.communities``.

``rollup=True`` counts an industry for its category too (集成电路 → 新一代信息技术产业), via
the ``PART_OF`` taxonomy: the corpus speaks of categories.

>>> import pandas as pd
>>> m = pd.DataFrame([[1, 1, 0], [1, 1, 1], [0, 0, 1]], index=["a", "b", "c"],
...                  columns=["x", "y", "z"])
>>> pairwise(m)[["a", "b", "shared", "jaccard"]].round(3).values.tolist()
[['a', 'b', 2, 0.667], ['a', 'c', 0, 0.0], ['b', 'c', 1, 0.333]]
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd

from kg.model import schema
from kg.model.graph import nodes_with, rels_of
from kg.model.statistics import statistic, statistic_value
from kg.analysis import networks
from kg.analysis.scope import AnalysisScope, EmptyScope, analysis_scope, own_plan


# --- the matrix ----------------------------------------------------------------

def taxonomy_parents(g: nx.MultiDiGraph) -> dict[str, str]:
    """Industry -> parent industry (PART_OF)."""
    return {u: v for u, v, _ in rels_of(g, schema.PART_OF)
            if schema.INDUSTRY in g.nodes[u]["labels"]}


def with_ancestors(g: nx.MultiDiGraph, industry: str, parents: dict | None = None) -> list[str]:
    """The industry and every industry above it, roots excluded (a root such as
    战略性新兴产业 is too broad to count as a shared choice)."""
    parents = taxonomy_parents(g) if parents is None else parents
    chain = [industry]
    while chain[-1] in parents:
        chain.append(parents[chain[-1]])
    return [i for i in chain if i in parents or i == industry]


def industry_matrix(g: nx.MultiDiGraph, scope: AnalysisScope | str | None = None,
                    types=(schema.SPECIALIZES_IN, schema.PLANS_INDUSTRY),
                    rollup: bool = False, b: nx.Graph | None = None) -> pd.DataFrame:
    """0/1 DataFrame: rows = actors inside ``scope`` with an industry, columns = industries.
    ``df.attrs["names"]`` maps every key to its name. ``b`` = the national place–industry
    graph if already built."""
    b = b if b is not None else networks.place_industry(g, types=types)
    if not isinstance(scope, AnalysisScope):
        scope = analysis_scope(g, scope)
    b = networks.restrict(b, scope)
    actors = networks.actors_of(b)
    rows = {}
    parents = taxonomy_parents(g) if rollup else {}
    for a in actors:
        listed = set(b[a])
        if rollup:
            listed = {x for i in listed for x in with_ancestors(g, i, parents)}
        rows[a] = listed
    columns = sorted({i for s in rows.values() for i in s})
    m = pd.DataFrame([[int(c in rows[a]) for c in columns] for a in actors],
                     index=pd.Index(actors, name="actor"), columns=columns, dtype=int)
    m.attrs["names"] = {k: g.nodes[k].get("name", k) for k in [*actors, *columns]}
    m.attrs["scope"] = scope.name
    return m


# --- similarity and the index ----------------------------------------------------

def pairwise(m: pd.DataFrame) -> pd.DataFrame:
    """Every pair of rows: shared count, Jaccard, cosine and the shared columns."""
    x = m.to_numpy(dtype=float)
    keys = list(m.index)
    shared = x @ x.T
    sizes = x.sum(axis=1)
    rows = []
    for i, j in itertools.combinations(range(len(keys)), 2):
        s = int(shared[i, j])
        union = sizes[i] + sizes[j] - s
        rows.append({"a": keys[i], "b": keys[j], "shared": s,
                     "jaccard": s / union if union else 0.0,
                     "cosine": s / np.sqrt(sizes[i] * sizes[j]) if sizes[i] and sizes[j] else 0.0,
                     "shared_industries": ";".join(m.columns[(x[i] > 0) & (x[j] > 0)])})
    return pd.DataFrame(rows, columns=["a", "b", "shared", "jaccard", "cosine",
                                       "shared_industries"])


def industry_shares(m: pd.DataFrame) -> pd.Series:
    """Share of rows listing each industry, largest first (ties by key)."""
    if m.empty:
        return pd.Series(dtype=float)
    shares = m.mean(axis=0)
    return shares.loc[sorted(shares.index, key=lambda k: (-shares[k], k))]


def homogeneity_index(m: pd.DataFrame, top: int = 4) -> dict:
    """Mean pairwise similarity and how widely the ``top`` most common industries are listed."""
    pairs = pairwise(m)
    shares = industry_shares(m)
    top_inds = list(shares.index[:top])
    names = m.attrs.get("names", {})
    listing_all = (m[top_inds].sum(axis=1) == len(top_inds)).mean() if top_inds else np.nan
    return {
        "scope": m.attrs.get("scope", ""),
        "members": len(m),
        "industries": m.shape[1],
        "pairs": len(pairs),
        "mean_jaccard": pairs["jaccard"].mean() if len(pairs) else np.nan,
        "mean_cosine": pairs["cosine"].mean() if len(pairs) else np.nan,
        "top_industries": "、".join(f"{names.get(i, i)} {shares[i]:.0%}" for i in top_inds),
        "share_listing_all_top": listing_all,
        "share_listing_any_top": (m[top_inds].sum(axis=1) > 0).mean() if top_inds else np.nan,
    }


def scope_indices(g: nx.MultiDiGraph, scopes: list[str] | None = None, top: int = 4,
                  rollup: bool = False, shares: bool = True, as_of: int | None = None,
                  plan: str | None = None) -> pd.DataFrame:
    """``homogeneity_index`` for the nation and each scope (default: every city cluster and
    metro circle with at least two members that list an industry), led, with ``shares``,
    by the mean structure similarity and Krugman index of the members with sector shares
    (``sector_shares``; empty where fewer than two have them). Groupings' members are those
    of ``as_of`` (default: the latest year); ``plan`` picks the list of the grouping it targets."""
    every = scopes is None
    if every:
        scopes = [k for lab in (schema.CITY_CLUSTER, schema.METRO_CIRCLE)
                  for k, _ in sorted(nodes_with(g, lab))]
        scopes = ["national", *scopes]
    rows = []
    b = networks.place_industry(g)
    for s in scopes:
        ref = s
        try:
            if as_of is not None or plan is not None:
                ref = analysis_scope(g, s, as_of, own_plan(g, s, plan) if s in g else None)
            m = industry_matrix(g, ref, rollup=rollup, b=b)
        except EmptyScope:
            if not every:       # a scope asked for by name must hold places
                raise
            continue            # a grouping whose plan gives no members yet (厦漳泉)
        if len(m) >= 2:
            lead = share_summary(sector_shares(g, ref)) if shares else {}
            rows.append({"scope_key": s, **({"share_places": lead.get("places", 0),
                                             "share_year": lead.get("year"),
                                             "mean_structure_similarity": lead.get("mean_structure_similarity"),
                                             "mean_krugman": lead.get("mean_krugman")} if shares else {}),
                         **homogeneity_index(m, top)})
    return pd.DataFrame(rows)


# --- adjacency and statistics ---------------------------------------------------------

def competition_risks(g: nx.MultiDiGraph, pairs: pd.DataFrame, threshold: float = 0.5,
                      metric: str = "jaccard") -> pd.DataFrame:
    """Pairs with similarity ≥ ``threshold`` whose places share a boundary (compared at the
    higher of the two levels: a county is taken as its city next to a city)."""
    hier = networks.Hierarchy(g)
    adjacent = {frozenset((u, v)) for u, v, _ in rels_of(g, schema.ADJACENT_TO)}

    def place(key):
        d = g.nodes[key]
        return key if schema.is_place(d) else networks._place_of(g, key)

    rows = []
    for r in pairs[pairs[metric] >= threshold].itertuples(index=False):
        pa, pb = place(r.a), place(r.b)
        if not pa or not pb or pa == pb:
            continue
        la, lb = schema.level(g.nodes[pa]), schema.level(g.nodes[pb])
        if la != lb:  # lift the county to its city
            pa, pb = (hier.city(pa) or pa, pb) if la == schema.COUNTY else (pa, hier.city(pb) or pb)
        if frozenset((pa, pb)) in adjacent:
            rows.append({**r._asdict(), "a_name": g.nodes[r.a].get("name"),
                         "b_name": g.nodes[r.b].get("name"),
                         "cross_province": hier.province(pa) != hier.province(pb)})
    return pd.DataFrame(rows, columns=[*pairs.columns, "a_name", "b_name", "cross_province"])


def _outputs(g: nx.MultiDiGraph) -> dict[tuple[str, str, int], tuple[float, str]]:
    """(place, industry, year) -> (output, unit) from SPECIALIZES_IN ``output_value`` in 亿元."""
    out = {}
    for u, v, d in rels_of(g, schema.SPECIALIZES_IN):
        value, unit, year = d.get("output_value"), str(d.get("unit", "")), d.get("year")
        if value is not None and year is not None and unit.startswith("亿元"):
            out[(u, v, int(year))] = (float(value), unit)
    return out


LQ_COLUMNS = ["place", "name", "industry", "industry_name", "year", "output", "gdp", "reference",
              "reference_name", "reference_output", "reference_gdp", "lq", "why"]


def location_quotients(g: nx.MultiDiGraph) -> pd.DataFrame:
    """LQ = (output of industry j in place i / GDP of i) / (output of j / GDP) of the
    **reference economy**: the nearest unit containing i (its city, then province) whose
    output of j and GDP of the same year are both in the graph, in the same unit. The
    denominator is never the sum over whichever places happen to have rows (that mixes
    economies of different coverage). Every place–industry output is listed; where no
    reference economy covers it, ``lq`` is empty and ``why`` says so. Pure computation:
    ``kg.analysis.location_quotient`` for whole tables."""
    hier = networks.Hierarchy(g)
    outputs = _outputs(g)
    rows = []
    for (u, v, year), (value, unit) in sorted(outputs.items()):
        gdp = statistic_value(g, u, "gdp", year)
        row = {"place": u, "name": g.nodes[u].get("name"), "industry": v,
               "industry_name": g.nodes[v].get("name"), "year": year, "output": value,
               "gdp": gdp, "reference": None, "reference_name": None, "reference_output": None,
               "reference_gdp": None, "lq": np.nan, "why": ""}
        ref = hier.parent.get(u)
        while ref is not None:
            ref_out, ref_gdp = outputs.get((ref, v, year)), statistic_value(g, ref, "gdp", year)
            if ref_out is not None and ref_gdp is not None and ref_out[1] == unit:
                break
            ref = hier.parent.get(ref)
        if gdp is None:
            row["why"] = f"no GDP of {row['name']} for {year}"
        elif ref is None:
            row["why"] = (f"no unit containing {row['name']} has both its {year} GDP and its "
                          f"{year} output of {row['industry_name']} ({unit}) in the graph")
        else:
            ref_value, ref_gdp = outputs[(ref, v, year)][0], float(statistic_value(g, ref, "gdp", year))
            row.update(reference=ref, reference_name=g.nodes[ref].get("name"),
                       reference_output=ref_value, reference_gdp=ref_gdp,
                       lq=(value / float(gdp)) / (ref_value / ref_gdp))
        rows.append(row)
    return pd.DataFrame(rows, columns=LQ_COLUMNS)


# --- shares: structure similarity and Krugman -----------------------------------------------

SECTORS = ("primary_industry_share", "secondary_industry_share", "tertiary_industry_share")


def sector_shares(g: nx.MultiDiGraph, scope: AnalysisScope | str | None = None,
                  year: int | None = None) -> pd.DataFrame:
    """Places × sector shares of GDP (Statistic facts) inside ``scope``, for one year: the
    three sectors (三次产业, ``SECTORS``) where two or more places have all three that year,
    else two (tertiary against primary + secondary) from ``tertiary_industry_share`` alone.
    The year is the latest (≤ ``year`` if given) in which at least 90% as many places have
    them as in the best-covered year (one year for all: shares of different years are not
    compared). ``attrs``: ``year``, ``sectors`` (3 or 2), ``input`` (what the shares
    are), ``sources`` (source id per place); declared as amounts (shares)."""
    if not isinstance(scope, AnalysisScope):
        scope = analysis_scope(g, scope)
    found: dict = {}                       # year -> place -> {indicator: fact}
    for key in sorted(scope.places):
        for _, v, t in g.out_edges(key, data="type"):
            d = g.nodes[v]
            if t == schema.HAS_STATISTIC and d.get("indicator") in SECTORS:
                if year is None or int(d["year"]) <= year:
                    found.setdefault(int(d["year"]), {}).setdefault(key, {})[d["indicator"]] = d
    three = {y: {k: f for k, f in ps.items() if len(f) == len(SECTORS)} for y, ps in found.items()}
    two = {y: {k: f for k, f in ps.items() if SECTORS[2] in f} for y, ps in found.items()}
    use_three = any(len(ps) >= 2 for ps in three.values())
    pick = three if use_three else two
    most = max((len(ps) for ps in pick.values()), default=0)
    best = max((y for y, ps in pick.items() if len(ps) >= 0.9 * most), default=None)
    places = pick.get(best, {})
    if use_three:
        rows = {k: [float(f[sec]["value"]) for sec in SECTORS] for k, f in places.items()}
        columns, what = ["primary", "secondary", "tertiary"], "primary/secondary/tertiary shares of GDP"
    else:
        rows = {k: [100.0 - float(f[SECTORS[2]]["value"]), float(f[SECTORS[2]]["value"])]
                for k, f in places.items()}
        columns = ["primary_secondary", "tertiary"]
        what = ("tertiary share of GDP only (two sectors: tertiary against primary + secondary; "
                "the source gives no primary/secondary split)")
    t = pd.DataFrame.from_dict(rows, orient="index", columns=columns).sort_index()
    t.index.name = "place"
    t.attrs.update({"kind": "values", "year": best, "years": dict.fromkeys(t.index, best),
                    "sectors": len(columns), "input": what,
                    "sources": {k: next(iter(f.values())).get("source_id") for k, f in places.items()}})
    return t


def share_indices(t: pd.DataFrame) -> pd.DataFrame:
    """产业结构相似系数 and bilateral Krugman index for every pair of rows of a share table
    (empty when fewer than two places have shares)."""
    from kg.analysis import similarity

    if len(t) < 2:
        return pd.DataFrame(columns=["a", "b", "structure_similarity", "krugman"])
    return similarity.pairs(t).sort_values(["structure_similarity", "a", "b"],
                                           ascending=[False, True, True]).reset_index(drop=True)


def share_summary(t: pd.DataFrame, pairs: pd.DataFrame | None = None) -> dict:
    """The leading numbers of a share table: places, year, input, mean and minimum
    structure similarity, mean bilateral Krugman index (empty when fewer than two places)."""
    pairs = share_indices(t) if pairs is None else pairs
    if len(pairs) == 0:
        return {}
    return {"places": len(t), "year": t.attrs.get("year"), "sectors": t.attrs.get("sectors"),
            "mean_structure_similarity": float(pairs["structure_similarity"].mean()),
            "min_structure_similarity": float(pairs["structure_similarity"].min()),
            "mean_krugman": float(pairs["krugman"].mean()),
            "max_krugman": float(pairs["krugman"].max())}


# --- the corpus's statements ---------------------------------------------------------------

@dataclass(frozen=True)
class Claim:
    """A homogeneity statement of the corpus, in a form the graph can be checked against."""
    id: str
    quote: str
    source_id: str
    scope: str             # scope name ('national' or a grouping/province)
    population: str        # NewCenter (districts labelled NewCenter) or City
    corpus_size: int       # how many members the statement is about
    industries: tuple      # industry names as the text gives them
    share: float           # the share the text states
    relation: str          # '>' (more than), '≈' (about), '=' (all)


CLAIMS = (
    Claim("new-centres-40pct",
          "约百分之四十的城区将生物医药、新材料、高端装备制造产业规划为主导产业",
          "000_e72cbd7cbd590d7c.txt", "national", schema.NEW_CENTER, 52,
          ("生物医药", "新材料", "高端装备制造"), 0.40, "≈"),
    Claim("yrd-new-centres-half",
          "在长三角地区的城市新中心中,半数以上城区在产业体系规划中将新材料、高端装备、生物医药、"
          "新一代信息技术四大产业列为发展重点",
          "000_e72cbd7cbd590d7c.txt", "长江三角洲城市群", schema.NEW_CENTER, 0,
          ("新材料", "高端装备", "生物医药", "新一代信息技术"), 0.5, ">"),
    Claim("yrd-41-cities-equipment",
          "长三角地区41个城市在“十四五”规划中均提出将高端装备列为重点发展产业",
          "000_e72cbd7cbd590d7c.txt", "长江三角洲城市群", schema.CITY, 41,
          ("高端装备",), 1.0, "="),
)


def industry_by_name(g: nx.MultiDiGraph, name: str) -> str | None:
    """The Industry node whose name or alias is ``name`` (also with 产业/制造 dropped)."""
    for key, d in nodes_with(g, schema.INDUSTRY):
        names = {d.get("name"), *d.get("aliases", [])}
        if name in names or f"{name}产业" in names:
            return key
    return None


def _holds(share: float, claim: Claim) -> bool:
    if claim.relation == ">":
        return share > claim.share
    if claim.relation == "=":
        return share >= claim.share - 1e-12
    return abs(share - claim.share) <= 0.10  # "约": within ten points


def claims(g: nx.MultiDiGraph, rollup: bool = True) -> pd.DataFrame:
    """Each ``CLAIMS`` statement recomputed: members found, members with industry data,
    the share listing each industry, and a verdict that says how far the data goes."""
    rows = []
    b = networks.place_industry(g)
    for c in CLAIMS:
        scope = analysis_scope(g, c.scope)
        population = sorted(p for p in scope.places if c.population in g.nodes[p]["labels"]
                            and (c.population != schema.CITY
                                 or schema.is_city(g.nodes[p]))
                            and (scope.is_national or p not in scope.partial
                                 or c.population != schema.CITY))
        m = industry_matrix(g, scope, rollup=rollup, b=b)
        with_data = [p for p in population if p in m.index]
        for name in c.industries:
            ind = industry_by_name(g, name)
            listing = [p for p in with_data if ind in m.columns and m.loc[p, ind]]
            share = len(listing) / len(with_data) if with_data else np.nan
            coverage = (f"{len(with_data)} of the {c.corpus_size} members the text counts"
                        if c.corpus_size else
                        f"{len(with_data)} members (the text does not say how many)")
            if not with_data:
                verdict = "no data: none of these members has an industry in the graph"
            elif not _holds(share, c):
                verdict = f"not reproduced on the {coverage} that have industry rows"
            elif c.corpus_size and len(with_data) < c.corpus_size:
                verdict = f"holds on {coverage}"
            else:
                verdict = f"reproduced ({coverage})"
            rows.append({"claim": c.id, "quote": c.quote, "source_id": c.source_id,
                         "scope": scope.name, "population": c.population,
                         "corpus_size": c.corpus_size or None, "members_in_graph": len(population),
                         "members_with_industries": len(with_data), "industry": name,
                         "industry_id": ind, "listing": len(listing), "share": share,
                         "stated": f"{c.relation} {c.share:.0%}", "verdict": verdict})
    return pd.DataFrame(rows)
