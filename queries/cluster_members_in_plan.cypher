// Members of a city cluster as one plan lists them (e.g. the 26 cities of the 2016 长三角 plan), with its quote.
// params: cluster (string, e.g. 长三角)
// params: plan (string, e.g. policy:yrd-cluster-plan-2016)
MATCH (c:CityCluster)
WHERE c.id = $cluster OR c.name = $cluster OR $cluster IN coalesce(c.aliases, [])
MATCH (p:Place)-[r:MEMBER_OF|CORE_OF]->(c)
WHERE r.source_id = $plan OR r.source_id = 'policy:' + $plan
RETURN p.adcode AS adcode, p.name AS member, collect(DISTINCT type(r)) AS roles,
       any(x IN collect(r.partial) WHERE x = true) AS partial, head(collect(r.counties)) AS counties,
       min(r.year) AS year, head(collect(r.quote)) AS quote
ORDER BY adcode
