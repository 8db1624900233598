// The industries below an industry in the taxonomy (PART_OF chains), with their depth and the classification cited.
// params: industry (string, name, alias or id, e.g. 战略性新兴产业)
MATCH (i:Industry)
WHERE i.id = $industry OR i.name = $industry OR $industry IN coalesce(i.aliases, [])
MATCH path = (sub:Industry)-[:PART_OF*1..4]->(i)
RETURN sub.id AS id, sub.name AS industry, length(path) AS depth,
       [n IN nodes(path) | n.name] AS chain, last(relationships(path)).source_id AS source
ORDER BY depth, id
