// New urban centres (城市新中心) of one type (战略导向型, 产业引领型, 创新驱动型, 生态培育型, 区域协同型) and their city.
// params: center_type (string, e.g. 产业引领型)
MATCH (d:NewCenter) WHERE d.center_type = $center_type
MATCH (d)-[:BELONGS_TO]->(c:City)
RETURN d.adcode AS adcode, d.name AS district, c.name AS city, d.center_name AS centre_name,
       d.type_quote AS type_quote
ORDER BY adcode
