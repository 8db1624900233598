// Who specialises in an industry or one of its sub-industries, and who says so: source, year and quote.
// params: industry (string, name, alias or id, e.g. 集成电路)
MATCH (i:Industry)
WHERE i.id = $industry OR i.name = $industry OR $industry IN coalesce(i.aliases, [])
MATCH (sub:Industry)-[:PART_OF*0..4]->(i)
MATCH (who)-[r:SPECIALIZES_IN]->(sub)
RETURN coalesce(who.adcode, who.id) AS key, who.name AS who, labels(who) AS labels, sub.name AS industry,
       r.role AS role, r.output_value AS output_value, r.unit AS unit,
       r.source_id AS source, r.source_title AS source_title, r.year AS year, r.quote AS quote
ORDER BY who, industry, source
