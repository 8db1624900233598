// National new areas (国家级新区) approved in or after a year, and the places that host them.
// params: since (integer, e.g. 2014)
MATCH (n:NationalNewArea) WHERE n.approved_year >= $since
OPTIONAL MATCH (n)-[:LOCATED_IN]->(p:Place)
RETURN n.id AS id, n.name AS new_area, n.approved_year AS approved_year, collect(p.name) AS hosts
ORDER BY approved_year, id
