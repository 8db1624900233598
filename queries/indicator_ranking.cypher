// Places ranked by one statistic stored as <indicator>_<year> (e.g. gdp_2024), with its value.
// params: indicator (string, property name, e.g. gdp_2024)
MATCH (p:Place) WHERE p[$indicator] IS NOT NULL
RETURN p.adcode AS adcode, p.name AS place, p[$indicator] AS value
ORDER BY value DESC, adcode
