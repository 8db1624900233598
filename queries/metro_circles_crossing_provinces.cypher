// Metro circles whose members lie in at least min_provinces provinces (cross-provincial circles).
// params: min_provinces (integer, e.g. 2)
MATCH (p:Place)-[:MEMBER_OF|CORE_OF]->(m:MetroCircle)
MATCH (p)-[:BELONGS_TO*0..2]->(prov:Province)
WITH m, collect(DISTINCT prov.name) AS provinces, collect(DISTINCT p.name) AS members
WHERE size(provinces) >= $min_provinces
RETURN m.name AS metro_circle, size(provinces) AS n_provinces, provinces, members
ORDER BY n_provinces DESC, metro_circle
