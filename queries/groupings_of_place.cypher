// Every cluster, metro circle and corridor a place belongs to, directly or through its city or province; with as_of, memberships by the membership rule (docs/time.md); a plan picks the list of the grouping it targets.
// params: place (string, name or adcode, e.g. 金坛区)
// params: as_of (integer, optional, e.g. 2020)
// params: plan (string, optional, e.g. policy:yrd-cluster-plan-2016)
MATCH (q:Place) WHERE q.adcode = toString($place) OR q.name = toString($place)
MATCH (q)-[:BELONGS_TO*0..2]->(via:Place)
WITH q, collect(DISTINCT via) AS vias
MATCH (c) WHERE c:CityCluster OR c:MetroCircle OR c:Corridor
CALL (c) {
  // membership rule of kg/model/membership.py (docs/time.md); no as_of and no plan = every membership
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
  RETURN p AS member, r AS mr
}
WITH q, vias, c, member, mr WHERE member IN vias
RETURN q.adcode AS adcode, q.name AS place, labels(c)[0] AS kind, c.name AS grouping,
       member.name AS through, collect(DISTINCT mr.source_id) AS sources
ORDER BY kind, grouping
