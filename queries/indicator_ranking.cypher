// Places ranked by one statistic (a Statistic node per place, indicator and year), with its unit and source.
// params: indicator (string, e.g. resident_population)
// params: year (integer, e.g. 2020)
MATCH (p:Place)-[:HAS_STATISTIC]->(s:Statistic)
WHERE s.indicator = $indicator AND s.year = $year
RETURN p.adcode AS adcode, p.name AS place,
       CASE WHEN p:County THEN 'County' WHEN p:City THEN 'City' ELSE 'Province' END AS level,
       s.value AS value, s.unit AS unit, s.source_id AS source_id
ORDER BY value DESC, adcode
