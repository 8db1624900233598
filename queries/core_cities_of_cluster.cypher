// The metro circles inside a city cluster and the core city of each, with the plan that says so; with as_of, only the circles PART_OF it that year and the core cities that count by the membership rule (docs/time.md); a plan picks the list of the circle it targets.
// params: cluster (string, e.g. 长江三角洲城市群)
// params: as_of (integer, optional, e.g. 2020)
// params: plan (string, optional, e.g. policy:yrd-cluster-plan-2016)
MATCH (cl:CityCluster)
WHERE cl.id = $cluster OR cl.name = $cluster OR $cluster IN coalesce(cl.aliases, [])
MATCH (m:MetroCircle)-[pp:PART_OF]->(cl)
WHERE $as_of IS NULL OR (coalesce(pp.valid_from, pp.year, $as_of) <= $as_of AND coalesce(pp.valid_to, $as_of) >= $as_of)
CALL (m) {
  // membership rule of kg/model/membership.py (docs/time.md); no as_of and no plan = every membership
  WITH m AS c
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
  RETURN [x IN collect({p: p, r: r}) WHERE type(x.r) = 'CORE_OF'] AS cores
}
UNWIND CASE WHEN cores = [] THEN [null] ELSE cores END AS core
RETURN m.name AS metro_circle, core.p.name AS core_city, core.p.adcode AS adcode, core.r.source_id AS source
ORDER BY metro_circle
