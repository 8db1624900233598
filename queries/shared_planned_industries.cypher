// Pairs of a grouping's members that plan the same industries (at least min_shared of them), with the industries.
// params: grouping (string, cluster or metro circle, e.g. 长江三角洲城市群)
// params: min_shared (integer, e.g. 1)
MATCH (g) WHERE (g:CityCluster OR g:MetroCircle)
  AND (g.id = $grouping OR g.name = $grouping OR $grouping IN coalesce(g.aliases, []))
MATCH (a:Place)-[:MEMBER_OF|CORE_OF]->(g)<-[:MEMBER_OF|CORE_OF]-(b:Place)
WHERE a.adcode < b.adcode
MATCH (a)-[:PLANS_INDUSTRY]->(i:Industry)<-[:PLANS_INDUSTRY]-(b)
WITH a, b, collect(DISTINCT i.name) AS industries
WHERE size(industries) >= $min_shared
RETURN a.name AS place_a, b.name AS place_b, size(industries) AS n_shared, industries
ORDER BY n_shared DESC, place_a, place_b
