"""Sector shares on real data: the city-yearbook table (data/statistics/city_yearbook.csv, from
jcdasheng/China_City_sustainability, MIT) and the homogeneity report that leads with the
structure-similarity coefficient and the Krugman index where shares exist."""
from __future__ import annotations

import csv
import itertools
import json

import numpy as np
import pytest

from kg.model.statistics import statistic
from kg.paths import DATA

TABLE = DATA / "statistics" / "city_yearbook.csv"


def rows():
    with open(TABLE, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_table_agrees_with_a_published_communique(graph):
    """中新社 (2009-01-22) on the 2008 北京 figures: 地区生产总值 10,488 亿元, 第三产业增加值
    7,682 亿元 — so a tertiary share of 73.2%, as the yearbook extract says."""
    gdp = statistic(graph, "110000", "gdp", 2008)
    share = statistic(graph, "110000", "tertiary_industry_share", 2008)
    assert gdp["value"] == pytest.approx(10488, abs=1) and gdp["unit"] == "亿元"
    assert share["value"] == pytest.approx(100 * 7682 / 10488, abs=0.05)
    assert share["source_id"] == "jcdasheng-city-yearbook"


def test_table_size_and_what_is_not_guessed():
    table = rows()
    shares = [r for r in table if r["indicator"] == "tertiary_industry_share"]
    assert len(shares) >= 1950 and len({r["adcode"] for r in shares}) >= 280
    assert {r["year"] for r in shares} == {str(y) for y in range(2004, 2013)}
    assert all(0 < float(r["value"]) < 100 for r in shares)
    unmatched = json.loads((DATA / "statistics" / "city_yearbook.coverage.json").read_text("utf-8"))["unmatched"]
    reasons = {u["name"]: u["reason"] for u in unmatched}
    assert "split into 340100, 340200, 340500" in reasons["巢湖市"]      # split in 2011
    assert "merged into 370100" in reasons["莱芜市"]                      # a share is not 济南's
    assert "毫州市" in reasons                                          # a typo, never guessed as 亳州市
    assert not any(r["adcode"] == "370100" and "莱芜" in r["quote"] for r in table)


def test_sector_shares_use_one_year_and_say_what_the_input_is(graph):
    from kg.analysis import homogeneity

    t = homogeneity.sector_shares(graph, "cluster:yangtze-river-delta")
    assert t.attrs["sectors"] == 2 and "tertiary share of GDP only" in t.attrs["input"]
    assert t.attrs["year"] == 2012 and len(t) >= 30
    shanghai = statistic(graph, "310000", "tertiary_industry_share", 2012)["value"]
    assert t.loc["310000"].tolist() == pytest.approx([100 - shanghai, shanghai])


def test_homogeneity_report_leads_with_structure_similarity_and_krugman(graph, tmp_path):
    """The leading numbers, recomputed independently from the committed table: S is the
    cosine of the share vectors, K the sum of absolute share differences."""
    from kg.analysis import homogeneity
    from kg.analysis.reports import write_homogeneity

    scope = "cluster:yangtze-river-delta"
    places = list(homogeneity.sector_shares(graph, scope).index)
    tertiary = {r["adcode"]: float(r["value"]) / 100 for r in rows()
                if r["indicator"] == "tertiary_industry_share" and r["year"] == "2012"}
    vec = {p: np.array([1 - tertiary[p], tertiary[p]]) for p in places}
    s = [vec[a] @ vec[b] / np.linalg.norm(vec[a]) / np.linalg.norm(vec[b])
         for a, b in itertools.combinations(places, 2)]
    k = [np.abs(vec[a] - vec[b]).sum() for a, b in itertools.combinations(places, 2)]
    files = write_homogeneity(graph, tmp_path, scope=scope, samples=20)
    md = next(p for _, p in files if str(p).endswith(".md")).read_text(encoding="utf-8")
    first = md.split("## ")[1]
    assert first.startswith("Structure similarity (产业结构相似系数) and Krugman index")
    assert f"mean structure similarity S = {np.mean(s):.3f}" in first
    assert f"mean Krugman index K = {np.mean(k):.3f}" in first
    assert "tertiary share of GDP only" in first and "jcdasheng-city-yearbook" in first
    scopes = homogeneity.scope_indices(graph, [scope])
    assert scopes.loc[0, "mean_krugman"] == pytest.approx(np.mean(k))
