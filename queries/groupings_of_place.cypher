// Every cluster, metro circle and corridor a place belongs to, directly or through its city or province.
// params: place (string, name or adcode, e.g. 金坛区)
MATCH (p:Place) WHERE p.adcode = toString($place) OR p.name = toString($place)
MATCH (p)-[:BELONGS_TO*0..2]->(via:Place)-[r:MEMBER_OF|CORE_OF]->(g)
RETURN p.adcode AS adcode, p.name AS place, labels(g)[0] AS kind, g.name AS grouping,
       via.name AS through, collect(DISTINCT r.source_id) AS sources
ORDER BY kind, grouping
