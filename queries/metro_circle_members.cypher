// Members of a metro circle with their province, and which member is the core city; with as_of or plan, only the members that count by the membership rule (docs/time.md).
// params: metro (string, e.g. 南京都市圈)
// params: as_of (integer, optional, e.g. 2022)
// params: plan (string, optional, e.g. policy:nanjing-metro-plan-2021)
MATCH (c:MetroCircle)
WHERE c.id = $metro OR c.name = $metro OR $metro IN coalesce(c.aliases, [])
CALL (c) {
  // membership rule of kg/model/membership.py (docs/time.md); no as_of and no plan = every membership
  WITH c, $plan AS plan
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
  RETURN p, r
}
WITH c, p, collect(DISTINCT type(r)) AS roles
MATCH (p)-[:BELONGS_TO*0..2]->(prov:Province)
WITH DISTINCT c, p, roles, prov
RETURN c.name AS metro_circle, p.adcode AS adcode, p.name AS member, prov.name AS province,
       'CORE_OF' IN roles AS core
ORDER BY core DESC, adcode
