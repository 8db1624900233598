// Places in two groupings at once (clusters, metro circles, corridors), as members or through the city they belong to.
// params: first (string, e.g. 长江三角洲城市群)
// params: second (string, e.g. 南京都市圈)
MATCH (a) WHERE (a:CityCluster OR a:MetroCircle OR a:Corridor)
  AND (a.id = $first OR a.name = $first OR $first IN coalesce(a.aliases, []))
MATCH (b) WHERE (b:CityCluster OR b:MetroCircle OR b:Corridor)
  AND (b.id = $second OR b.name = $second OR $second IN coalesce(b.aliases, []))
MATCH (p:Place)-[:MEMBER_OF|CORE_OF]->(g) WHERE g = a OR g = b
WITH DISTINCT a, b, p
WHERE EXISTS { (p)-[:BELONGS_TO*0..2]->(:Place)-[:MEMBER_OF|CORE_OF]->(a) }
  AND EXISTS { (p)-[:BELONGS_TO*0..2]->(:Place)-[:MEMBER_OF|CORE_OF]->(b) }
RETURN p.adcode AS adcode, p.name AS place,
       EXISTS { (p)-[:MEMBER_OF|CORE_OF]->(a) } AS direct_in_first,
       EXISTS { (p)-[:MEMBER_OF|CORE_OF]->(b) } AS direct_in_second
ORDER BY adcode
