"""Every Cypher read of the Neo4j adapter, as constants with ``$parameters``.

Every domain node carries the ``Entity`` label plus exactly one domain label (see
``loaders/neo4j_sink.py``); ``Dataset`` nodes record what was loaded. Labels and relationship types
come either written here or as list parameters that the adapter has checked against the schema enums,
used through ``$any(...)``. Nothing in this module is ever formatted or concatenated.
"""

from __future__ import annotations

from typing import Final, LiteralString

PING: Final[LiteralString] = "RETURN 1 AS ok"

DATASET: Final[LiteralString] = """
MATCH (d:Dataset)
RETURN d.name AS name, d.version AS version, d.description AS description, d.illustrative AS illustrative,
       d.loaded_at AS loaded_at, d.fingerprint AS fingerprint
ORDER BY d.loaded_at DESC, d.name
LIMIT 1
"""

# Counts for ``stats``: aggregated in the database rather than by reading every node and relationship.
NODE_COUNTS: Final[LiteralString] = """
MATCH (n:Entity)
RETURN [l IN labels(n) WHERE l <> 'Entity'][0] AS label, n.confidence AS confidence, count(*) AS count
"""
EDGE_COUNTS: Final[LiteralString] = """
MATCH (:Entity)-[r]->(:Entity)
RETURN type(r) AS type, r.confidence AS confidence, count(*) AS count
"""

# The node shape the adapter reads everywhere: id, the domain label, every property.
NODES_BY_ID: Final[LiteralString] = """
MATCH (n:Entity)
WHERE n.id IN $ids
RETURN n.id AS id, [l IN labels(n) WHERE l <> 'Entity'][0] AS label, properties(n) AS props
"""

ALL_NODES: Final[LiteralString] = """
MATCH (n:Entity)
RETURN n.id AS id, [l IN labels(n) WHERE l <> 'Entity'][0] AS label, properties(n) AS props
"""

NODES_BY_LABEL: Final[LiteralString] = """
MATCH (n:Entity&$any($labels))
RETURN n.id AS id, [l IN labels(n) WHERE l <> 'Entity'][0] AS label, properties(n) AS props
"""

# Relationships touching a set of nodes; one touching two of them is returned once.
INCIDENT: Final[LiteralString] = """
MATCH (n:Entity)-[r]-(:Entity)
WHERE n.id IN $ids
WITH DISTINCT r
RETURN startNode(r).id AS source, type(r) AS type, endNode(r).id AS target, properties(r) AS props
"""

INCIDENT_OF_TYPES: Final[LiteralString] = """
MATCH (n:Entity)-[r:$any($types)]-(:Entity)
WHERE n.id IN $ids
WITH DISTINCT r
RETURN startNode(r).id AS source, type(r) AS type, endNode(r).id AS target, properties(r) AS props
"""

ALL_EDGES: Final[LiteralString] = """
MATCH (a:Entity)-[r]->(b:Entity)
RETURN a.id AS source, type(r) AS type, b.id AS target, properties(r) AS props
"""

EDGES_OF_TYPES: Final[LiteralString] = """
MATCH (a:Entity)-[r:$any($types)]->(b:Entity)
RETURN a.id AS source, type(r) AS type, b.id AS target, properties(r) AS props
"""

# A page in the order of ``base.node_sort_key`` (label, number missing last, number, id), with the
# total before paging, in one transaction. ``$q`` is already lower-cased; ``$label`` (or null) is a
# schema label.
PAGE_NODES: Final[LiteralString] = """
MATCH (n:Entity)
WHERE $label IS NULL OR $label IN labels(n)
WITH n, [l IN labels(n) WHERE l <> 'Entity'][0] AS label
WHERE $q IS NULL OR toLower(coalesce(n.name, n.id)) CONTAINS $q OR n.id CONTAINS $q
WITH n, label
ORDER BY label, n.number IS NULL, coalesce(n.number, 0), n.id
WITH collect({id: n.id, label: label, props: properties(n)}) AS rows
RETURN size(rows) AS total, rows[$offset..$offset + $limit] AS page
"""

# Full-text candidates: ``$query`` is a Lucene query built by the adapter from search words (letters
# and digits only). The index is ``graph_schema.FULLTEXT_INDEX`` on Entity(name, description, id).
TEXT_CANDIDATES: Final[LiteralString] = """
CALL db.index.fulltext.queryNodes('entity_text', $query) YIELD node
WITH node AS n
WHERE n:Entity
RETURN n.id AS id, [l IN labels(n) WHERE l <> 'Entity'][0] AS label, properties(n) AS props
"""

# Everything the answer to "who responds to this action point" is built from, in one round trip (see
# TraversalStore.response_edges): the action point, its RESPONDS_TO and UNDER edges, goal-level
# RESPONDS_TO when asked, and the responders' context edges.
RESPONSE_EDGES: Final[LiteralString] = """
MATCH (ap:Entity {id: $id})
OPTIONAL MATCH (ap)-[under:UNDER]->(goal:Entity)
WITH ap, collect(under) AS unders, collect(goal) AS goals
OPTIONAL MATCH (responder:Entity)-[link:RESPONDS_TO]->(target:Entity)
WHERE target = ap OR ($goal_level AND target IN goals)
WITH ap, unders, collect(link) AS links, collect(DISTINCT responder) AS responders
OPTIONAL MATCH (r:Entity)-[up:PART_OF|IN_COUNTRY|ACTIVE_IN]->(:Entity)
WHERE r IN responders
WITH ap, unders, links, responders, collect(up) AS ups
WITH ap, unders + links + ups AS found,
     responders + [e IN ups WHERE type(e) = 'PART_OF' | endNode(e)] AS heads
OPTIONAL MATCH (:Entity)-[has:HAS_COMPONENT]->(head:Entity)
WHERE head IN heads
WITH ap, found, collect(has) AS owners
WITH ap, found + owners AS found
RETURN ap.id AS id, [l IN labels(ap) WHERE l <> 'Entity'][0] AS label, properties(ap) AS props,
       [e IN found | {source: startNode(e).id, type: type(e), target: endNode(e).id, props: properties(e)}]
       AS edges
"""
