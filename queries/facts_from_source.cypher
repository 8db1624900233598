// Every relationship a source (document or plan) asserts, by type, with its quote: "what does this document say?"
// params: source_id (string, e.g. 001_78ebd5c545a785bc.txt)
MATCH (a)-[r]->(b) WHERE r.source_id = $source_id OR r.source_id = 'policy:' + $source_id
RETURN type(r) AS type, coalesce(a.name, a.id) AS head, coalesce(b.name, b.id) AS tail, r.year AS year,
       r.quote AS quote
ORDER BY type, head, tail
