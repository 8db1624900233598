// How a grouping's scope changed between two plans: every place one of the two plans lists, with entered (only the second), left (only the first) or stayed (both), e.g. the 26 cities of the 2016 长三角 plan vs the 41 of the 2019 outline.
// params: grouping (string, e.g. 长三角)
// params: plan_a (string, e.g. policy:yrd-cluster-plan-2016)
// params: plan_b (string, e.g. policy:yrd-integration-outline-2019)
MATCH (c) WHERE (c:CityCluster OR c:MetroCircle OR c:Corridor)
  AND (c.id = $grouping OR c.name = $grouping OR $grouping IN coalesce(c.aliases, []))
MATCH (p:Place)-[r:MEMBER_OF|CORE_OF]->(c)
WITH p, replace(r.source_id, 'policy:', '') AS plan, r
WHERE plan IN [replace($plan_a, 'policy:', ''), replace($plan_b, 'policy:', '')]
WITH p, collect(DISTINCT plan) AS plans, collect(DISTINCT r.scope) AS parts
WITH p, parts, replace($plan_a, 'policy:', '') IN plans AS in_a, replace($plan_b, 'policy:', '') IN plans AS in_b
RETURN p.adcode AS adcode, p.name AS place,
       CASE WHEN in_a AND in_b THEN 'stayed' WHEN in_b THEN 'entered' ELSE 'left' END AS change,
       [x IN parts WHERE x IS NOT NULL] AS parts
ORDER BY change, adcode
