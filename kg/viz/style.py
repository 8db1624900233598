"""How a view looks: one colour per node type, one line style per relationship type.

A node's *type* is its most telling label: ``NewCenter`` on a district beats
``County``, a municipality (Province + City) counts as a City, and any other
node is typed by its first non-Place label.

>>> node_type({"labels": ["Place", "County", "NewCenter"]})
'NewCenter'
>>> node_type({"labels": ["Place", "Province", "City"]})
'City'
>>> node_type({"labels": ["Industry"]})
'Industry'
"""
from __future__ import annotations

from kg.model import schema

NODE_COLORS = {
    schema.PROVINCE: "#4e79a7",
    schema.CITY: "#f28e2b",
    schema.COUNTY: "#bab0ac",
    schema.NEW_CENTER: "#e15759",
    schema.CITY_CLUSTER: "#76b7b2",
    schema.METRO_CIRCLE: "#59a14f",
    schema.NATIONAL_NEW_AREA: "#edc948",
    schema.INDUSTRIAL_PARK: "#b07aa1",
    schema.DEMONSTRATION_ZONE: "#ff9da7",
    schema.CORRIDOR: "#9c755f",
    schema.FOREIGN_REGION: "#79706e",
    schema.INDUSTRY: "#d37295",
    schema.POLICY: "#499894",
    schema.ORGANIZATION: "#86bcb6",
    schema.DOCUMENT: "#8cd17d",
}
# vis-network shapes: places are dots, the city system is drawn as distinct shapes.
NODE_SHAPES = {
    schema.CITY_CLUSTER: "hexagon", schema.METRO_CIRCLE: "diamond", schema.CORRIDOR: "triangle",
    schema.FOREIGN_REGION: "triangleDown", schema.INDUSTRY: "square", schema.POLICY: "star",
    schema.NATIONAL_NEW_AREA: "diamond", schema.INDUSTRIAL_PARK: "square",
    schema.DEMONSTRATION_ZONE: "diamond", schema.ORGANIZATION: "triangle",
}
# (colour, dashed, arrow): derived relationships are light so asserted facts stand out.
EDGE_STYLES = {
    schema.BELONGS_TO: ("#c8c8c8", False, True),
    schema.ADJACENT_TO: ("#e4e4e4", True, False),
    schema.MEMBER_OF: ("#76b7b2", False, True),
    schema.CORE_OF: ("#1f5f8b", False, True),
    schema.PART_OF: ("#59a14f", True, True),
    schema.LOCATED_IN: ("#b07aa1", True, True),
    schema.SPECIALIZES_IN: ("#d37295", False, True),
    schema.PLANS_INDUSTRY: ("#f1a6c0", True, True),
    schema.SPILLOVER_TO: ("#e15759", False, True),
    schema.COOPERATES_WITH: ("#f28e2b", False, False),
    schema.TARGETS: ("#499894", True, True),
    schema.MENTIONS: ("#8cd17d", True, True),
}
DEFAULT_COLOR = "#97c2fc"
LABEL_SIZES = {schema.PROVINCE: 22, schema.CITY: 16, schema.CITY_CLUSTER: 20,
               schema.METRO_CIRCLE: 18}


def node_type(attrs: dict) -> str:
    """The label a node is coloured by."""
    labels = attrs.get("labels", ())
    if schema.NEW_CENTER in labels:
        return schema.NEW_CENTER
    if schema.is_place(attrs):
        return schema.level(attrs) or schema.PLACE
    return next((lab for lab in labels if lab != schema.PLACE), schema.PLACE)
