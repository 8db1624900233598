"""The graph schema: every node label and relationship type, in one place.

The names here must match ``ontology/citykg.ttl`` (a test checks that they do).
Everything else in ``kg`` takes label and type names from this module.

>>> from kg.model import schema
>>> schema.MEMBER_OF in schema.REL_TYPES
True
>>> schema.is_place({"labels": ["Place", "City"]})
True
"""
from __future__ import annotations

# --- node labels -----------------------------------------------------------
PLACE = "Place"
PROVINCE = "Province"
CITY = "City"
COUNTY = "County"
CITY_CLUSTER = "CityCluster"
METRO_CIRCLE = "MetroCircle"
NATIONAL_NEW_AREA = "NationalNewArea"
NEW_CENTER = "NewCenter"
INDUSTRIAL_PARK = "IndustrialPark"
DEMONSTRATION_ZONE = "DemonstrationZone"
CORRIDOR = "Corridor"
FOREIGN_REGION = "ForeignRegion"
INDUSTRY = "Industry"
POLICY = "Policy"
ORGANIZATION = "Organization"
DOCUMENT = "Document"
STATISTIC = "Statistic"   # one indicator value of one place in one year (kg.model.statistics)

PLACE_LEVELS = (PROVINCE, CITY, COUNTY)
LABELS = (
    PLACE, PROVINCE, CITY, COUNTY, CITY_CLUSTER, METRO_CIRCLE, NATIONAL_NEW_AREA,
    NEW_CENTER, INDUSTRIAL_PARK, DEMONSTRATION_ZONE, CORRIDOR, FOREIGN_REGION,
    INDUSTRY, POLICY, ORGANIZATION, DOCUMENT, STATISTIC,
)
# Labels of facts stored as nodes (not entities): no name, never a view's or a gazetteer's node.
FACT_LABELS = (STATISTIC,)
ENTITY_LABELS = tuple(lab for lab in LABELS if lab not in FACT_LABELS)
# Groupings of places: what MEMBER_OF points at.
GROUPINGS = (CITY_CLUSTER, METRO_CIRCLE, CORRIDOR, FOREIGN_REGION)

# --- relationship types ----------------------------------------------------
BELONGS_TO = "BELONGS_TO"
MEMBER_OF = "MEMBER_OF"
CORE_OF = "CORE_OF"
PART_OF = "PART_OF"
ADJACENT_TO = "ADJACENT_TO"
LOCATED_IN = "LOCATED_IN"
SPECIALIZES_IN = "SPECIALIZES_IN"
PLANS_INDUSTRY = "PLANS_INDUSTRY"
SPILLOVER_TO = "SPILLOVER_TO"
COOPERATES_WITH = "COOPERATES_WITH"
TARGETS = "TARGETS"
MENTIONS = "MENTIONS"
HAS_STATISTIC = "HAS_STATISTIC"
LINKED_TO = "LINKED_TO"

# type -> (allowed source labels, allowed target labels); a node matches if it has any of them.
REL_TYPES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    BELONGS_TO: ((COUNTY, CITY), (CITY, PROVINCE)),
    MEMBER_OF: ((PLACE, FOREIGN_REGION), GROUPINGS),
    CORE_OF: ((CITY,), (METRO_CIRCLE, CITY_CLUSTER)),
    PART_OF: ((METRO_CIRCLE, INDUSTRY), (CITY_CLUSTER, INDUSTRY)),
    ADJACENT_TO: ((PLACE,), (PLACE,)),
    LOCATED_IN: ((INDUSTRIAL_PARK, NEW_CENTER, ORGANIZATION, NATIONAL_NEW_AREA, DEMONSTRATION_ZONE),
                 (PLACE,)),
    SPECIALIZES_IN: ((PLACE, INDUSTRIAL_PARK, NATIONAL_NEW_AREA, DEMONSTRATION_ZONE, FOREIGN_REGION),
                     (INDUSTRY,)),
    PLANS_INDUSTRY: ((PLACE, INDUSTRIAL_PARK, NATIONAL_NEW_AREA, DEMONSTRATION_ZONE), (INDUSTRY,)),
    SPILLOVER_TO: ((PLACE,), (PLACE,)),
    COOPERATES_WITH: ((PLACE, INDUSTRIAL_PARK), (PLACE, INDUSTRIAL_PARK)),
    TARGETS: ((POLICY,), ENTITY_LABELS),
    MENTIONS: ((DOCUMENT,), ENTITY_LABELS),
    HAS_STATISTIC: ((PLACE,), (STATISTIC,)),
    LINKED_TO: ((PLACE,), (PLACE,)),
}

# Relationship types computed from packaged sources rather than asserted by a document.
DERIVED_TYPES = frozenset({BELONGS_TO, ADJACENT_TO})
# Every other relationship is asserted and must carry provenance.
PROVENANCE_REQUIRED = ("source_id", "year")
PROVENANCE_PROPS = ("source_id", "quote", "year", "valid_from", "valid_to", "checked")
# The plan's own name for the ring a member is in (核心区 / 紧密圈 / 辐射区 / 功能圈 ...):
# a property of the membership, so only MEMBER_OF carries it, and its quote must contain it.
TIER = "tier"
TIERED_TYPES = frozenset({MEMBER_OF})

# LINKED_TO: an observed (or, with ``derived: true``, modelled) flow between two places.
# Observed modes come from data files (kg.sources.flows); gravity is computed in the build.
FLOW_MODES = ("air", "rail", "migration", "firm", "gravity")
OBSERVED_MODES = ("air", "rail", "migration", "firm")
DERIVED_MODES = ("gravity",)
FLOW_PROPS = ("mode", "weight", "weight_unit", "year", "period", "source_id", "derived")

# Node identity: places by adcode, everything else by a slug id.
PLACE_KEY = "adcode"
NODE_KEY = "id"


def is_place(attrs: dict) -> bool:
    """True if a node's attribute dict carries the Place label."""
    return PLACE in attrs.get("labels", ())


def level(attrs: dict) -> str | None:
    """The administrative level label of a place node (Province, City or County)."""
    labels = attrs.get("labels", ())
    for lab in (COUNTY, CITY, PROVINCE):  # a municipality is Province and City; City wins
        if lab in labels:
            return lab
    return None


def is_city(attrs: dict) -> bool:
    """True for a prefecture-level city (a municipality included): what "a city" means here.

    >>> is_city({"labels": ["Place", "Province", "City"]}), is_city({"labels": ["Place", "County"]})
    (True, False)
    """
    return level(attrs) == CITY


# Taiwan, Hong Kong and Macao: in the backbone, but outside every mainland source
# (census, yearbooks, firm registries), so mainland coverage leaves them out of its count.
OUTSIDE_MAINLAND = ("71", "81", "82")


def is_mainland(code: str) -> bool:
    """True for a place code of the mainland (not Taiwan, Hong Kong or Macao).

    >>> is_mainland("310115"), is_mainland("810001"), is_mainland("710100")
    (True, False, False)
    """
    return str(code)[:2] not in OUTSIDE_MAINLAND
