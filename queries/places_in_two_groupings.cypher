// Places in two groupings at once (clusters, metro circles, corridors), as members or through the city they belong to; with as_of, each grouping's members by the membership rule (docs/time.md); a plan picks the list of the grouping it targets.
// params: first (string, e.g. 长江三角洲城市群)
// params: second (string, e.g. 南京都市圈)
// params: as_of (integer, optional, e.g. 2020)
// params: plan (string, optional, e.g. policy:yrd-cluster-plan-2016)
MATCH (a) WHERE (a:CityCluster OR a:MetroCircle OR a:Corridor)
  AND (a.id = $first OR a.name = $first OR $first IN coalesce(a.aliases, []))
MATCH (b) WHERE (b:CityCluster OR b:MetroCircle OR b:Corridor)
  AND (b.id = $second OR b.name = $second OR $second IN coalesce(b.aliases, []))
CALL (a) {
  // membership rule of kg/model/membership.py (docs/time.md); no as_of and no plan = every membership
  WITH a AS c
  WITH c, CASE WHEN EXISTS { MATCH (pl)-[:TARGETS]->(c) WHERE replace(pl.id, 'policy:', '') = replace($plan, 'policy:', '') } THEN $plan END AS plan
  MATCH path = (g)-[:PART_OF*0..3]->(c)
  WHERE length(path) = 0 OR ($as_of IS NOT NULL AND plan IS NULL AND all(x IN relationships(path)
        WHERE coalesce(x.valid_from, x.year, $as_of) <= $as_of AND coalesce(x.valid_to, $as_of) >= $as_of))
  WITH DISTINCT g, plan
  MATCH (p:Place)-[r:MEMBER_OF|CORE_OF]->(g)
  WHERE (plan IS NULL OR replace(r.source_id, 'policy:', '') = replace(plan, 'policy:', ''))
    AND ($as_of IS NULL OR (coalesce(r.valid_from, r.year, $as_of) <= $as_of
         AND coalesce(r.valid_to, $as_of) >= $as_of
         AND (plan IS NOT NULL
              OR NOT EXISTS { MATCH (pl)-[:TARGETS]->(g)
                              WHERE replace(pl.id, 'policy:', '') = replace(r.source_id, 'policy:', '') }
              OR NOT EXISTS { MATCH (pl)-[:TARGETS]->(g)<-[r2:MEMBER_OF|CORE_OF]-(:Place)
                              WHERE replace(pl.id, 'policy:', '') = replace(r2.source_id, 'policy:', '')
                                AND coalesce(r2.valid_from, r2.year, $as_of) <= $as_of
                                AND coalesce(r2.valid_to, $as_of) >= $as_of
                                AND coalesce(r2.valid_from, r2.year, 0) > coalesce(r.valid_from, r.year, 0) })))
  RETURN collect(DISTINCT p) AS in_first
}
CALL (b) {
  // membership rule of kg/model/membership.py (docs/time.md); no as_of and no plan = every membership
  WITH b AS c
  WITH c, CASE WHEN EXISTS { MATCH (pl)-[:TARGETS]->(c) WHERE replace(pl.id, 'policy:', '') = replace($plan, 'policy:', '') } THEN $plan END AS plan
  MATCH path = (g)-[:PART_OF*0..3]->(c)
  WHERE length(path) = 0 OR ($as_of IS NOT NULL AND plan IS NULL AND all(x IN relationships(path)
        WHERE coalesce(x.valid_from, x.year, $as_of) <= $as_of AND coalesce(x.valid_to, $as_of) >= $as_of))
  WITH DISTINCT g, plan
  MATCH (p:Place)-[r:MEMBER_OF|CORE_OF]->(g)
  WHERE (plan IS NULL OR replace(r.source_id, 'policy:', '') = replace(plan, 'policy:', ''))
    AND ($as_of IS NULL OR (coalesce(r.valid_from, r.year, $as_of) <= $as_of
         AND coalesce(r.valid_to, $as_of) >= $as_of
         AND (plan IS NOT NULL
              OR NOT EXISTS { MATCH (pl)-[:TARGETS]->(g)
                              WHERE replace(pl.id, 'policy:', '') = replace(r.source_id, 'policy:', '') }
              OR NOT EXISTS { MATCH (pl)-[:TARGETS]->(g)<-[r2:MEMBER_OF|CORE_OF]-(:Place)
                              WHERE replace(pl.id, 'policy:', '') = replace(r2.source_id, 'policy:', '')
                                AND coalesce(r2.valid_from, r2.year, $as_of) <= $as_of
                                AND coalesce(r2.valid_to, $as_of) >= $as_of
                                AND coalesce(r2.valid_from, r2.year, 0) > coalesce(r.valid_from, r.year, 0) })))
  RETURN collect(DISTINCT p) AS in_second
}
UNWIND in_first + in_second AS p
WITH DISTINCT p, in_first, in_second
WHERE EXISTS { MATCH (p)-[:BELONGS_TO*0..2]->(x:Place) WHERE x IN in_first }
  AND EXISTS { MATCH (p)-[:BELONGS_TO*0..2]->(x:Place) WHERE x IN in_second }
RETURN p.adcode AS adcode, p.name AS place,
       p IN in_first AS direct_in_first, p IN in_second AS direct_in_second
ORDER BY adcode
