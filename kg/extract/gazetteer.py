"""Find the graph's own nodes in a text: a dictionary of every name and alias.

The gazetteer is built from the graph (``kg.build.build_graph()``), so a node a
curator adds is recognised on the next run. Surfaces:

* every node's ``name`` and ``aliases`` (aliases in traditional script are
  converted, since matching runs on simplified text); ``《》`` is dropped from
  policy names, because titles are matched inside the brackets;
* short forms of provinces and prefecture-level cities from
  ``kg.model.resolve.PlaceIndex`` (鄂州 -> 鄂州市, 江苏 -> 江苏省);
* city clusters also without or with their 城市群 suffix (长三角 and 长三角城市群);
* county-level short forms (萧山 -> 萧山区, 昆山 -> 昆山市), marked ``county_short``:
  the disambiguation step keeps them only where the document also names the
  county itself or its city, because many are ordinary words (新城, 城关, 和平);
* county names that are everyday words (城区, 郊区, 矿区, 新城区), marked ``generic``:
  they count only right after their own city (阳泉市城区);
* stop phrases (阿里巴巴, 中山大学 ...) that contain a place's short form but name
  no place; they win by being longer and are then dropped.

Matching is Aho-Corasick (``pyahocorasick``), leftmost-longest: 上海大都市圈 wins
over 上海, and 粤港澳大湾区城市群 over 粤港澳大湾区.

>>> gz = Gazetteer({"上海": Entry(("310000",), "City", "short"),
...                 "上海大都市圈": Entry(("metro:shanghai",), "MetroCircle", "name")})
>>> [(m.surface, m.ids) for m in gz.scan("以上海为核心的上海大都市圈")]
[('上海', ('310000',)), ('上海大都市圈', ('metro:shanghai',))]
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

from kg.model import schema

# Priority of a surface's origin: a node's own name beats an alias, which beats a
# generated short form. Where two nodes share a surface at different priorities,
# only the higher one is kept (its ids may still be several: 鼓楼区 x4).
PRIORITY = {"name": 4, "alias": 3, "short": 2, "county_short": 1, "generic": 0, "stop": 5}

# Labels recognised in text, in the order used to pick a node's main label.
MAIN_LABELS = (schema.COUNTY, schema.CITY, schema.PROVINCE, schema.CITY_CLUSTER,
               schema.METRO_CIRCLE, schema.CORRIDOR, schema.NATIONAL_NEW_AREA,
               schema.INDUSTRIAL_PARK, schema.DEMONSTRATION_ZONE, schema.FOREIGN_REGION,
               schema.INDUSTRY, schema.POLICY, schema.ORGANIZATION)

_ETHNIC = ("蒙古|回|藏|维吾尔|苗|彝|壮|布依|朝鲜|满|侗|瑶|白|土家|哈尼|哈萨克|傣|黎|傈僳|佤|畲|高山|拉祜|水|"
           "东乡|纳西|景颇|柯尔克孜|土|达斡尔|仫佬|羌|布朗|撒拉|毛南|仡佬|锡伯|阿昌|普米|塔吉克|怒|乌孜别克|"
           "俄罗斯|鄂温克|德昂|保安|裕固|京|塔塔尔|独龙|鄂伦春|赫哲|门巴|珞巴|基诺|各")
_AUTONOMOUS = re.compile(rf"^(.{{2,}}?)(?:(?:{_ETHNIC})族)+自治(县|旗)$")
_COUNTY_SUFFIX = re.compile(r"(自治县|自治旗|林区|特区|新区|区|县|市|旗)$")
# County short forms that are everyday words far more often than places.
COUNTY_SHORT_STOP = {
    "城关", "新城", "城中", "城东", "城西", "城南", "城北", "市中", "郊区", "矿区", "和平", "新华",
    "中山", "北山", "东山", "西山", "长安", "永和", "平安", "安全", "开发", "高新", "经开",
    "新市", "大同", "海南", "东方", "西湖", "东湖", "南湖", "红旗", "向阳", "胜利", "前进", "光明",
    "金山", "青山", "白云", "朝阳", "河西", "河东", "江北", "江南", "沙市", "滨海", "双桥", "永定",
    "仁和", "兴隆", "长春", "新兴", "振兴", "和田", "通道", "东阳", "吉安", "安定", "永安", "建设",
    "发展", "科技", "未来", "大兴", "铁西", "铁东", "立新", "团结", "友好", "文明", "临江", "沿河",
}
# County-level units whose whole name is an everyday word.
GENERIC_COUNTY_NAMES = {"城区", "郊区", "矿区", "新城区", "老城区", "城中区", "城东区", "城西区",
                        "城北区", "城南区", "市中区", "中心区", "新区", "开发区", "高新区", "市辖区",
                        "北区", "南区", "东区", "西区", "中区"}
# Phrases that contain a place's short form but are not places.
STOP_PHRASES = (
    "阿里巴巴", "中山大学", "中山装", "长安汽车", "长安街", "东方红", "红旗渠", "大同小异",
    "江南水乡", "江南大学", "华为", "青岛啤酒", "茅台", "吉林大学", "南京大学", "浙江大学",
    "同济大学", "苏州河", "上海交通大学", "北京大学", "武汉大学", "深圳湾", "海南岛",
)


@dataclass(frozen=True)
class Entry:
    ids: tuple[str, ...]   # candidate node keys
    label: str             # main label (all ids share it)
    kind: str              # name / alias / short / county_short / generic / stop
    alt: tuple[str, ...] = ()  # other nodes of another kind with the same surface


class Mention(NamedTuple):
    start: int
    end: int
    surface: str
    ids: tuple[str, ...]
    label: str
    kind: str
    alt: tuple[str, ...] = ()


def main_label(attrs: dict) -> str | None:
    labels = attrs.get("labels", ())
    return next((lab for lab in MAIN_LABELS if lab in labels), None)


class Gazetteer:
    """Surface -> ``Entry`` dictionary with leftmost-longest scanning."""

    def __init__(self, entries: dict[str, Entry]):
        import ahocorasick

        self.entries = entries
        self._automaton = ahocorasick.Automaton()
        for surface, entry in entries.items():
            self._automaton.add_word(surface, (surface, entry))
        if entries:
            self._automaton.make_automaton()

    def __len__(self) -> int:
        return len(self.entries)

    def scan(self, text: str) -> list[Mention]:
        """Every leftmost-longest match in ``text`` except stop phrases."""
        if not self.entries:
            return []
        out = []
        for end, (surface, entry) in self._automaton.iter_long(text):
            if entry.kind != "stop":
                out.append(Mention(end + 1 - len(surface), end + 1, surface, entry.ids,
                                   entry.label, entry.kind, entry.alt))
        return out

    @classmethod
    def from_graph(cls, g) -> "Gazetteer":
        return cls(build_entries(g))


def build_entries(g) -> dict[str, Entry]:
    """Every surface of every recognisable node of ``g``."""
    from kg.extract.script import to_simplified
    from kg.model.resolve import PlaceIndex, short_name

    # surface -> [rank, label, ids, alternative ids of another label]
    found: dict[str, list] = {}

    def add(surface: str, key: str, label: str, kind: str) -> None:
        surface = to_simplified(surface.strip().strip("《》").strip())
        if len(surface) < 2:
            return
        rank = PRIORITY[kind]
        old = found.get(surface)
        if old is None or rank > old[0]:
            found[surface] = [rank, label, {key}, set()]
        elif rank == old[0] and label == old[1]:
            old[2].add(key)
        elif rank == old[0]:
            # Same surface, same priority, different kinds of node (浦东新区 is a
            # district and a national new area): the place wins, the other is kept
            # as an alternative that scoring and review can see.
            if key and schema.is_place(g.nodes[key]) and not any(
                    schema.is_place(g.nodes[k]) for k in old[2] if k):
                old[1], old[2], old[3] = label, {key}, old[3] | old[2]
            else:
                old[3].add(key)

    places = PlaceIndex(g)
    place_names = set(places.by_name)
    for key, d in g.nodes(data=True):
        label = main_label(d)
        if label is None:
            continue
        generic = schema.is_place(d) and d.get("name") in GENERIC_COUNTY_NAMES
        add(d.get("name", ""), key, label, "generic" if generic else "name")
        for alias in [*(d.get("aliases", []) or []), d.get("center_name", "")]:
            if alias:
                add(alias, key, label, "alias")
        if schema.is_place(d):
            if schema.COUNTY in d["labels"]:
                short = _COUNTY_SUFFIX.sub("", d["name"])
                if (short != d["name"] and len(short) >= 2 and short not in place_names
                        and short not in COUNTY_SHORT_STOP):
                    add(short, key, label, "county_short")
                # 昌江黎族自治县 is written 昌江县 (the ethnic part dropped, the suffix kept)
                m = _AUTONOMOUS.match(d["name"])
                if m and (plain := m.group(1) + m.group(2)) not in place_names:
                    add(plain, key, label, "county_short")
            elif short := short_name(d["name"]):
                add(short, key, label, "short")
        elif label == schema.CITY_CLUSTER:
            for n in [d.get("name", ""), *(d.get("aliases", []) or [])]:
                n = to_simplified(n)
                if n.endswith("城市群"):
                    bare = n[: -len("城市群")]
                    if len(bare) >= 2 and bare not in place_names:
                        add(bare, key, label, "short")
                else:
                    add(n + "城市群", key, label, "short")
    for phrase in STOP_PHRASES:
        add(phrase, "", "", "stop")
    kinds = {rank: kind for kind, rank in PRIORITY.items()}  # ranks are distinct
    return {s: Entry(tuple(sorted(ids)), label, kinds[rank], tuple(sorted(alt)))
            for s, (rank, label, ids, alt) in found.items()}
