// Members of a city cluster, metro circle or corridor as of a year, by the rule of kg/model/membership.py: memberships in force that year (valid_from or year <= it, valid_to empty or >= it); of the plans that TARGET the grouping only the latest in force counts; other sources add; sub-groupings PART_OF it (in force) bring their members by the same rule.
// params: grouping (string, e.g. 长三角)
// params: year (integer, e.g. 2018)
MATCH (c) WHERE (c:CityCluster OR c:MetroCircle OR c:Corridor)
  AND (c.id = $grouping OR c.name = $grouping OR $grouping IN coalesce(c.aliases, []))
MATCH path = (sub)-[:PART_OF*0..3]->(c)
WHERE all(x IN relationships(path) WHERE coalesce(x.valid_from, x.year) <= $year
          AND (x.valid_to IS NULL OR x.valid_to >= $year))
WITH DISTINCT c, sub
OPTIONAL MATCH (pl:Policy)-[:TARGETS]->(sub)
WITH c, sub, [x IN collect(DISTINCT pl.id) | replace(x, 'policy:', '')] AS plans
MATCH (p:Place)-[r:MEMBER_OF|CORE_OF]->(sub)
WHERE coalesce(r.valid_from, r.year) <= $year AND (r.valid_to IS NULL OR r.valid_to >= $year)
WITH c, sub, p, r, replace(r.source_id, 'policy:', '') IN plans AS of_plan,
     coalesce(r.valid_from, r.year) AS start
WITH c, sub, collect({p: p, r: r, of_plan: of_plan, start: start}) AS ms
WITH c, sub, ms, reduce(n = -1, x IN ms | CASE WHEN x.of_plan AND x.start > n THEN x.start ELSE n END) AS newest
UNWIND ms AS x
WITH c, sub, x WHERE NOT x.of_plan OR x.start = newest
WITH c, x.p AS p, collect(DISTINCT x.r.source_id) AS sources, collect(DISTINCT type(x.r)) AS roles,
     all(y IN collect(x.r.partial) WHERE y = true) AS partial, collect(DISTINCT sub.id) AS via
RETURN p.adcode AS adcode, p.name AS member, roles, partial, sources, via
ORDER BY adcode
