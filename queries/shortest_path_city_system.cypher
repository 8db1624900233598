// Shortest path between two places through the city-system layer only (groupings, cores, spillovers, cooperation; no administrative links).
// params: origin (string, name or adcode, e.g. 鹤壁市)
// params: destination (string, name or adcode, e.g. 南京市)
MATCH (a:Place) WHERE a.adcode = toString($origin) OR a.name = toString($origin)
MATCH (b:Place) WHERE b.adcode = toString($destination) OR b.name = toString($destination)
MATCH path = shortestPath((a)-[:MEMBER_OF|CORE_OF|PART_OF|SPILLOVER_TO|COOPERATES_WITH*..10]-(b))
RETURN [n IN nodes(path) | coalesce(n.name, n.id)] AS path,
       [r IN relationships(path) | type(r)] AS types, length(path) AS hops
