// Industries planned by more than a share (e.g. half) of a cluster's member places: the raw material of 产业同质化.
// params: cluster (string, e.g. 长江三角洲城市群)
// params: share (float, e.g. 0.5)
MATCH (c:CityCluster)
WHERE c.id = $cluster OR c.name = $cluster OR $cluster IN coalesce(c.aliases, [])
MATCH (p:Place)-[:MEMBER_OF|CORE_OF]->(c)
WITH c, collect(DISTINCT p) AS members
UNWIND members AS p
MATCH (p)-[:PLANS_INDUSTRY]->(i:Industry)
WITH c, size(members) AS n_members, i, count(DISTINCT p) AS planners
WHERE planners > $share * n_members
RETURN c.name AS cluster, i.id AS id, i.name AS industry, planners, n_members,
       round(toFloat(planners) / n_members, 3) AS share
ORDER BY planners DESC, id
