// The places that belong to the most groupings (clusters, metro circles, corridors): the nodes of overlapping plans.
// params: top (integer, e.g. 10)
MATCH (p:Place)-[:MEMBER_OF|CORE_OF]->(g)
WHERE g:CityCluster OR g:MetroCircle OR g:Corridor
WITH p, collect(DISTINCT g.name) AS groupings
RETURN p.adcode AS adcode, p.name AS place, size(groupings) AS n_groupings, groupings
ORDER BY n_groupings DESC, adcode
LIMIT $top
