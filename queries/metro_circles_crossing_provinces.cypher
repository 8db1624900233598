// Metro circles whose members lie in at least min_provinces provinces (cross-provincial circles); with as_of, members by the membership rule (docs/time.md); a plan picks the list of the circle it targets.
// params: min_provinces (integer, e.g. 2)
// params: as_of (integer, optional, e.g. 2020)
// params: plan (string, optional, e.g. policy:yrd-cluster-plan-2016)
MATCH (c:MetroCircle)
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
  RETURN DISTINCT p
}
MATCH (p)-[:BELONGS_TO*0..2]->(prov:Province)
WITH c, collect(DISTINCT prov.name) AS provinces, collect(DISTINCT p.name) AS members
WHERE size(provinces) >= $min_provinces
RETURN c.name AS metro_circle, size(provinces) AS n_provinces, provinces, members
ORDER BY n_provinces DESC, metro_circle
