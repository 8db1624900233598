// Spillover chains (研发→生产, 总部→基地 …) of at most max_hops steps (up to 3) starting at a place, no place twice.
// params: origin (string, name or adcode, e.g. 上海市)
// params: max_hops (integer, e.g. 3)
MATCH (o:Place) WHERE o.adcode = toString($origin) OR o.name = toString($origin)
MATCH path = (o)-[:SPILLOVER_TO*1..3]->(t:Place)
WHERE length(path) <= $max_hops
  AND all(n IN nodes(path) WHERE single(m IN nodes(path) WHERE m = n))
RETURN [n IN nodes(path) | n.name] AS chain, [r IN relationships(path) | r.function] AS functions,
       [r IN relationships(path) | r.source_id] AS sources, length(path) AS hops
ORDER BY hops, chain
