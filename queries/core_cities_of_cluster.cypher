// The metro circles inside a city cluster and the core city of each, with the plan that says so.
// params: cluster (string, e.g. 长江三角洲城市群)
MATCH (c:CityCluster)
WHERE c.id = $cluster OR c.name = $cluster OR $cluster IN coalesce(c.aliases, [])
MATCH (m:MetroCircle)-[:PART_OF]->(c)
OPTIONAL MATCH (core:Place)-[r:CORE_OF]->(m)
RETURN m.name AS metro_circle, core.name AS core_city, core.adcode AS adcode, r.source_id AS source
ORDER BY metro_circle
