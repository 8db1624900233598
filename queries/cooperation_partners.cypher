// Alliances and joint platforms a place takes part in (COOPERATES_WITH, either direction), with the source and quote.
// params: place (string, name or adcode, e.g. 310107)
MATCH (p:Place) WHERE p.adcode = toString($place) OR p.name = toString($place)
MATCH (p)-[r:COOPERATES_WITH]-(partner)
RETURN p.name AS place, partner.name AS partner, r.role AS platform, r.source_id AS source, r.year AS year,
       r.quote AS quote
ORDER BY partner, source
