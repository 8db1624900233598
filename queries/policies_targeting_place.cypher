// Policies and plans that target a place: directly, through its city or province, or through a grouping it is in.
// params: place (string, name or adcode, e.g. 南京市)
MATCH (p:Place) WHERE p.adcode = toString($place) OR p.name = toString($place)
MATCH (p)-[:BELONGS_TO*0..2]->(up:Place)
MATCH (up)-[:MEMBER_OF|CORE_OF*0..1]->()-[:PART_OF*0..1]->(target)<-[t:TARGETS]-(pol:Policy)
RETURN DISTINCT pol.id AS policy_id, pol.name AS policy, pol.approved_year AS year,
       target.name AS via, t.quote AS quote
ORDER BY year, policy_id, via
