// Members of a metro circle with their province, and which member is the core city.
// params: metro (string, e.g. 南京都市圈)
MATCH (m:MetroCircle)
WHERE m.id = $metro OR m.name = $metro OR $metro IN coalesce(m.aliases, [])
MATCH (p:Place)-[:MEMBER_OF|CORE_OF]->(m)
MATCH (p)-[:BELONGS_TO*0..2]->(prov:Province)
WITH DISTINCT m, p, prov
RETURN m.name AS metro_circle, p.adcode AS adcode, p.name AS member, prov.name AS province,
       EXISTS { (p)-[:CORE_OF]->(m) } AS core
ORDER BY core DESC, adcode
