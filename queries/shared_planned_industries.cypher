// Pairs of a grouping's members that plan the same industries (at least min_shared of them), with the industries; with as_of or plan, members by the membership rule (docs/time.md).
// params: grouping (string, cluster or metro circle, e.g. 长江三角洲城市群)
// params: min_shared (integer, e.g. 1)
// params: as_of (integer, optional, e.g. 2020)
// params: plan (string, optional, e.g. policy:yrd-cluster-plan-2016)
MATCH (c) WHERE (c:CityCluster OR c:MetroCircle)
  AND (c.id = $grouping OR c.name = $grouping OR $grouping IN coalesce(c.aliases, []))
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
  RETURN collect(DISTINCT p) AS members
}
UNWIND members AS a
UNWIND members AS b
WITH a, b WHERE a.adcode < b.adcode
MATCH (a)-[:PLANS_INDUSTRY]->(i:Industry)<-[:PLANS_INDUSTRY]-(b)
WITH a, b, collect(DISTINCT i.name) AS industries
WHERE size(industries) >= $min_shared
RETURN a.name AS place_a, b.name AS place_b, size(industries) AS n_shared, industries
ORDER BY n_shared DESC, place_a, place_b
