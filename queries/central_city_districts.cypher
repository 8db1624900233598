// Districts that a city's master plan brought into its 中心城区 (central urban area): which plan, from which year, and the quote.
// params: city (string, name or adcode, e.g. 杭州市)
MATCH (d:NewCenter)-[:BELONGS_TO]->(c:City)
WHERE (c.adcode = toString($city) OR c.name = toString($city)) AND d.central_city_plan IS NOT NULL
WITH d, c, replace(d.central_city_plan, '（', '(') AS plan
RETURN c.name AS city, d.adcode AS adcode, d.name AS district, d.central_city_plan AS plan,
       toInteger(left(split(plan, '(')[1], 4)) AS from_year, d.central_city_quote AS quote
ORDER BY adcode
