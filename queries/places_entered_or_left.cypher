// Places that entered or left a grouping between two years, each year's members by the rule of kg/model/membership.py (the latest plan of the grouping in force that year; see members_as_of.cypher), e.g. 长三角 2018 (2016 plan, 26 cities) to 2020 (2019 outline, 41).
// params: grouping (string, e.g. 长三角)
// params: from_year (integer, e.g. 2018)
// params: to_year (integer, e.g. 2020)
CALL {
MATCH (c) WHERE (c:CityCluster OR c:MetroCircle OR c:Corridor)
  AND (c.id = $grouping OR c.name = $grouping OR $grouping IN coalesce(c.aliases, []))
MATCH path = (sub)-[:PART_OF*0..3]->(c)
WHERE all(x IN relationships(path) WHERE coalesce(x.valid_from, x.year) <= $from_year
          AND (x.valid_to IS NULL OR x.valid_to >= $from_year))
WITH DISTINCT c, sub
OPTIONAL MATCH (pl:Policy)-[:TARGETS]->(sub)
WITH c, sub, [x IN collect(DISTINCT pl.id) | replace(x, 'policy:', '')] AS plans
MATCH (p:Place)-[r:MEMBER_OF|CORE_OF]->(sub)
WHERE coalesce(r.valid_from, r.year) <= $from_year AND (r.valid_to IS NULL OR r.valid_to >= $from_year)
WITH c, sub, p, r, replace(r.source_id, 'policy:', '') IN plans AS of_plan,
     coalesce(r.valid_from, r.year) AS start
WITH c, sub, collect({p: p, r: r, of_plan: of_plan, start: start}) AS ms
WITH c, sub, ms, reduce(n = -1, x IN ms | CASE WHEN x.of_plan AND x.start > n THEN x.start ELSE n END) AS newest
UNWIND ms AS x
WITH c, sub, x WHERE NOT x.of_plan OR x.start = newest
RETURN collect(DISTINCT x.p.adcode) AS before
}
CALL {
MATCH (c) WHERE (c:CityCluster OR c:MetroCircle OR c:Corridor)
  AND (c.id = $grouping OR c.name = $grouping OR $grouping IN coalesce(c.aliases, []))
MATCH path = (sub)-[:PART_OF*0..3]->(c)
WHERE all(x IN relationships(path) WHERE coalesce(x.valid_from, x.year) <= $to_year
          AND (x.valid_to IS NULL OR x.valid_to >= $to_year))
WITH DISTINCT c, sub
OPTIONAL MATCH (pl:Policy)-[:TARGETS]->(sub)
WITH c, sub, [x IN collect(DISTINCT pl.id) | replace(x, 'policy:', '')] AS plans
MATCH (p:Place)-[r:MEMBER_OF|CORE_OF]->(sub)
WHERE coalesce(r.valid_from, r.year) <= $to_year AND (r.valid_to IS NULL OR r.valid_to >= $to_year)
WITH c, sub, p, r, replace(r.source_id, 'policy:', '') IN plans AS of_plan,
     coalesce(r.valid_from, r.year) AS start
WITH c, sub, collect({p: p, r: r, of_plan: of_plan, start: start}) AS ms
WITH c, sub, ms, reduce(n = -1, x IN ms | CASE WHEN x.of_plan AND x.start > n THEN x.start ELSE n END) AS newest
UNWIND ms AS x
WITH c, sub, x WHERE NOT x.of_plan OR x.start = newest
RETURN collect(DISTINCT x.p.adcode) AS after
}
MATCH (p:Place) WHERE p.adcode IN before OR p.adcode IN after
WITH p, p.adcode IN before AS was, p.adcode IN after AS is
WHERE was <> is
RETURN p.adcode AS adcode, p.name AS place, CASE WHEN is THEN 'entered' ELSE 'left' END AS change
ORDER BY change, adcode
