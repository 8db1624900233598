// Policies and plans that target a place: through its city or province, or through a grouping it is in (every target is a cluster or metro circle); with as_of, only policies approved by then and memberships by the membership rule (docs/time.md); a plan picks the list of the grouping it targets.
// params: place (string, name or adcode, e.g. 南京市)
// params: as_of (integer, optional, e.g. 2020)
// params: plan (string, optional, e.g. policy:yrd-cluster-plan-2016)
MATCH (q:Place) WHERE q.adcode = toString($place) OR q.name = toString($place)
MATCH (q)-[:BELONGS_TO*0..2]->(via:Place)
WITH q, collect(DISTINCT via) AS vias
MATCH (pol:Policy)-[:TARGETS]->(c)
WHERE $as_of IS NULL OR coalesce(pol.approved_year, $as_of) <= $as_of
WITH DISTINCT q, vias, c
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
WITH q, vias, c, member WHERE member IN vias
MATCH (pol:Policy)-[t:TARGETS]->(c)
WHERE $as_of IS NULL OR coalesce(pol.approved_year, $as_of) <= $as_of
RETURN DISTINCT pol.id AS policy_id, pol.name AS policy, pol.approved_year AS year,
       c.name AS via, t.quote AS quote
ORDER BY year, policy_id, via
