// New urban centres whose city (or which itself) is a member of a city cluster, with what they plan or specialise in.
// params: cluster (string, e.g. 长江三角洲城市群)
MATCH (c:CityCluster)
WHERE c.id = $cluster OR c.name = $cluster OR $cluster IN coalesce(c.aliases, [])
MATCH (d:NewCenter)-[:BELONGS_TO*0..1]->(:Place)-[:MEMBER_OF|CORE_OF]->(c)
WITH DISTINCT d
OPTIONAL MATCH (d)-[:PLANS_INDUSTRY|SPECIALIZES_IN]->(i:Industry)
RETURN d.adcode AS adcode, d.name AS district, d.center_type AS center_type,
       collect(DISTINCT i.name) AS industries
ORDER BY adcode
