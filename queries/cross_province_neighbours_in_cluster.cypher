// Member cities of a cluster that share a boundary with a member city of another province: the seams of a cross-provincial cluster.
// params: cluster (string, e.g. 长江三角洲城市群)
MATCH (c:CityCluster)
WHERE c.id = $cluster OR c.name = $cluster OR $cluster IN coalesce(c.aliases, [])
MATCH (a:City)-[:MEMBER_OF|CORE_OF]->(c)<-[:MEMBER_OF|CORE_OF]-(b:City)
WHERE a.adcode < b.adcode AND (a)-[:ADJACENT_TO]-(b)
MATCH (a)-[:BELONGS_TO*0..1]->(pa:Province), (b)-[:BELONGS_TO*0..1]->(pb:Province)
WITH DISTINCT a, b, pa, pb WHERE pa <> pb
RETURN a.name AS city_a, pa.name AS province_a, b.name AS city_b, pb.name AS province_b
ORDER BY province_a, city_a, city_b
