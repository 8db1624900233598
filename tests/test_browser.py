"""The views in a real browser: Debian's chromium, headless, driven by Playwright.

Opens the national view and the 长江三角洲城市群 view from file://, checks what the
network holds, that the filter menu changes it, that the console stays clean,
that Chinese renders as glyphs (not tofu boxes), and saves screenshots under
test-output/.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kg.model import schema
from kg.model.graph import rels_of
from kg.paths import REPO
from kg.viz.pyvis_html import write_html
from kg.viz.scope import resolve_scope
from kg.viz.views import make_view

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
OUT = REPO / "test-output"


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is not installed: run `bash scripts/setup.sh --test` "
                    "(apt-get install chromium fonts-noto-cjk)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture(scope="module")
def views(graph):
    """The two views under test, written where the screenshots go."""
    OUT.mkdir(exist_ok=True)
    out = {}
    for name, file_name in (("national", "national.html"),
                            ("长江三角洲城市群", "cluster-yangtze-river-delta.html")):
        view = make_view(graph, resolve_scope(graph, name))
        out[name] = (view, write_html(view, OUT / file_name))
    return out


def open_view(browser, path: Path):
    """A page showing ``path``, with every console error and page error collected."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("requestfailed", lambda req: errors.append(f"request failed: {req.url}"))
    page.goto(path.resolve().as_uri(), wait_until="load")
    page.wait_for_function("window.citykg !== undefined")
    return page, errors


def shown(page) -> tuple[int, int]:
    return (page.evaluate("citykg.network.body.data.nodes.length"),
            page.evaluate("citykg.network.body.data.edges.length"))


def test_national_view_renders_every_node_and_edge(browser, views, graph):
    view, path = views["national"]
    page, errors = open_view(browser, path)
    drawable = {k for k, d in graph.nodes(data=True) if schema.STATISTIC not in d["labels"]}  # in tooltips
    distinct = {(u, v, d["type"]) for u, v, d in graph.edges(data=True)        # flows: in the hub maps
                if u in drawable and v in drawable and d["type"] != schema.LINKED_TO}
    assert shown(page) == (len(drawable), len(distinct))
    # vis-network drew them: the first drawing happened and every node has a canvas position.
    page.wait_for_function("citykg.firstDraw !== null", timeout=60_000)
    drawn = page.evaluate("Object.keys(citykg.network.getPositions()).length")
    assert drawn == len(drawable)
    page.screenshot(path=str(OUT / "national.png"))
    assert errors == []
    page.close()


def test_filter_menu_changes_what_is_shown(browser, views):
    view, path = views["national"]
    page, errors = open_view(browser, path)
    types = {n["id"]: n["type"] for n in view.nodes}
    # Untick County and ADJACENT_TO in the menu, as a user would.
    page.uncheck(f".type-filter[value='{schema.COUNTY}']")
    page.uncheck(f".rel-filter[value='{schema.ADJACENT_TO}']")
    expected_nodes = sum(1 for t in types.values() if t != schema.COUNTY)
    expected_edges = sum(1 for e in view.edges if e["rel"] != schema.ADJACENT_TO
                         and schema.COUNTY not in (types[e["from"]], types[e["to"]]))
    assert shown(page) == (expected_nodes, expected_edges)
    assert expected_nodes < len(view.nodes) and expected_edges < len(view.edges)
    counts_text = page.inner_text("#counts")
    assert f"{expected_nodes} of {len(view.nodes)} nodes" in counts_text
    page.screenshot(path=str(OUT / "national-filtered.png"))
    page.click("#all")
    assert shown(page) == (len(view.nodes), len(view.edges))
    assert errors == []
    page.close()


def test_cluster_view_holds_the_members_and_shows_tooltips(browser, views, graph):
    view, path = views["长江三角洲城市群"]
    page, errors = open_view(browser, path)
    assert shown(page) == (len(view.nodes), len(view.edges))
    ids = set(page.evaluate("citykg.nodesView.getIds()"))
    cluster = "cluster:yangtze-river-delta"
    members = {u for u, v, _ in rels_of(graph, schema.MEMBER_OF) if v == cluster}
    assert cluster in ids and members <= ids and {"310000", "320100", "330100", "340100"} <= ids
    # Hovering a member city (the one standing furthest from any other node, so that no district
    # drawn on top of it takes the hover) shows its tooltip with its facts.
    cities = sorted(m for m in members if schema.CITY in graph.nodes[m]["labels"])
    key, x, y = page.evaluate("""(cities) => {
        const pos = citykg.network.getPositions(); const ids = Object.keys(pos);
        let best = null, far = -1;
        for (const a of cities) {
            if (!pos[a]) continue;
            let near = Infinity;
            for (const b of ids) if (b !== a) near = Math.min(near, (pos[a].x - pos[b].x) ** 2 + (pos[a].y - pos[b].y) ** 2);
            if (near > far) { far = near; best = a; }
        }
        const p = citykg.network.canvasToDOM(pos[best]);
        const r = document.getElementById('mynetwork').getBoundingClientRect();
        return [best, r.left + p.x, r.top + p.y]; }""", cities)
    page.mouse.move(x, y)
    page.wait_for_selector("div.vis-tooltip", state="visible", timeout=5000)
    assert graph.nodes[key]["name"] in page.inner_text("div.vis-tooltip")
    page.screenshot(path=str(OUT / "cluster-yangtze-river-delta.png"))
    assert errors == []
    page.close()


def test_chinese_renders_as_glyphs_not_boxes(browser, views):
    """Tofu boxes are all alike: with a CJK font, 南 and 京 draw differently."""
    page, errors = open_view(browser, views["长江三角洲城市群"][1])
    same = page.evaluate("""() => {
        const font = getComputedStyle(document.body).fontFamily;
        const draw = (ch) => { const c = document.createElement('canvas'); c.width = c.height = 40;
            const x = c.getContext('2d'); x.font = '32px ' + font; x.fillText(ch, 2, 34);
            return Array.from(x.getImageData(0, 0, 40, 40).data).join(','); };
        const missing = draw('\\u{10FFFD}');  // a private-use code point: always a box
        return { nanJing: draw('南') === draw('京'), nanIsBox: draw('南') === missing }; }""")
    assert same == {"nanJing": False, "nanIsBox": False}
    assert errors == []
    page.close()
