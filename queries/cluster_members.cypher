// Members (and core cities) of a city cluster (name, alias or id), with the plans that name each and whether only part of it is in.
// params: cluster (string, e.g. 长江三角洲城市群)
MATCH (c:CityCluster)
WHERE c.id = $cluster OR c.name = $cluster OR $cluster IN coalesce(c.aliases, [])
MATCH (p:Place)-[r:MEMBER_OF|CORE_OF]->(c)
RETURN c.name AS cluster, p.adcode AS adcode, p.name AS member,
       collect(DISTINCT r.source_id) AS sources,
       any(x IN collect(r.partial) WHERE x = true) AS partial
ORDER BY adcode
