// Other groupings that share members with a city cluster, and the shared places.
// params: cluster (string, e.g. 长江三角洲城市群)
MATCH (c:CityCluster)
WHERE c.id = $cluster OR c.name = $cluster OR $cluster IN coalesce(c.aliases, [])
MATCH (c)<-[:MEMBER_OF|CORE_OF]-(p:Place)-[:MEMBER_OF|CORE_OF]->(other)
WHERE other <> c AND (other:CityCluster OR other:MetroCircle OR other:Corridor)
WITH other, collect(DISTINCT p.name) AS shared
RETURN labels(other)[0] AS kind, other.name AS grouping, size(shared) AS n_shared, shared
ORDER BY n_shared DESC, grouping
