// Industrial parks located in a province (or a city), their host place and the industries they specialise in.
// params: region (string, province or city name or adcode, e.g. 江苏省)
MATCH (r:Place) WHERE r.adcode = toString($region) OR r.name = toString($region)
MATCH (k:IndustrialPark)-[:LOCATED_IN]->(host:Place)-[:BELONGS_TO*0..2]->(r)
OPTIONAL MATCH (k)-[:SPECIALIZES_IN]->(i:Industry)
RETURN k.id AS id, k.name AS park, host.name AS host, collect(DISTINCT i.name) AS industries
ORDER BY id
