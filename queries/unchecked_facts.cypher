// Asserted relationships of one type that are not yet checked against a stored text (checked = false), with the curator's note.
// params: rel_type (string, e.g. PART_OF)
MATCH (a)-[r]->(b) WHERE type(r) = $rel_type AND r.checked = false
RETURN coalesce(a.name, a.id) AS head, coalesce(b.name, b.id) AS tail, r.source_id AS source, r.note AS note
ORDER BY head, tail
