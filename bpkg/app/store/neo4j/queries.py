"""Every Cypher read of the Neo4j adapter, as constants with ``$parameters``.

Every domain node carries the ``Entity`` label plus exactly one domain label (see
``bpkg/loaders/neo4j_sink.py``); ``Dataset`` nodes record what was loaded. Labels and relationship types
come either written here or as list parameters that the adapter has checked against the schema enums,
used through ``$any(...)``. Nothing in this module is ever formatted or concatenated.

Answers as of a date pass ``$as_of`` (an ISO day, or null for today's answer) and test the ``valid_from`` /
``valid_to`` properties the load wrote (``bpkg.graph_schema.asof``: ISO days, absent when open), so that a node or
link counts when ``valid_from <= $as_of <= valid_to``: it may have existed on that day.
"""

from __future__ import annotations

from typing import Final, LiteralString

PING: Final[LiteralString] = "RETURN 1 AS ok"

# The dataset loaded last (``seq``: the count of loads that had written when it finished; ``loaded_at`` has
# only seconds). Its ``fingerprint`` is the graph's version for caches: that dataset's fingerprint
# when it is the only one, no load wrote after it and its load kept no rows of an earlier version (``kept``: a
# load without --prune); else with the count of loads that wrote (the lease's ``seq``); and null while any
# dataset's load is unfinished. Then ``serving`` names the version published last
# (``neo4j_sink.FINISH_LOAD``), whose derived answers (the headline, coverage, gaps) readers keep reading.
DATASET: Final[LiteralString] = """
MATCH (d:Dataset)
WITH d ORDER BY coalesce(d.seq, 0) DESC, d.loaded_at DESC, d.name
WITH collect(d) AS loaded
WHERE loaded <> []
OPTIONAL MATCH (l:LoadLease {name: 'graph'})
WITH loaded, loaded[0] AS d, any(x IN loaded WHERE x.fingerprint IS NULL) AS loading, coalesce(l.seq, 0) AS seq,
     l.published AS published
RETURN d.name AS name, d.version AS version, d.description AS description, d.illustrative AS illustrative,
       d.loaded_at AS loaded_at, d.loading IS NOT NULL AS loading,
       CASE WHEN loading THEN null
            WHEN size(loaded) = 1 AND coalesce(d.seq, 0) = seq AND coalesce(d.kept, '{}') = '{}'
            THEN d.fingerprint
            ELSE d.fingerprint + ':' + toString(seq) END AS fingerprint,
       CASE WHEN loading THEN published END AS serving
"""
# Every dataset the graph holds (``bpkg/loaders/neo4j_sink.py``: each node and relationship names its owners).
DATASETS: Final[LiteralString] = """
MATCH (d:Dataset)
RETURN d.name AS name, d.version AS version, d.description AS description, d.illustrative AS illustrative,
       d.loaded_at AS loaded_at, d.fingerprint AS fingerprint, d.loading IS NOT NULL AS loading
ORDER BY name
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

# Relationships whose two ends are both among $ids (a view's links), anchored on each id.
EDGES_AMONG: Final[LiteralString] = """
UNWIND $ids AS id
MATCH (a:Entity {id: id})-[r]->(b:Entity)
WHERE b.id IN $ids
RETURN a.id AS source, type(r) AS type, b.id AS target, properties(r) AS props
"""

EDGES_OF_TYPES: Final[LiteralString] = """
MATCH (a:Entity)-[r:$any($types)]->(b:Entity)
WHERE $as_of IS NULL OR all(x IN [a, r, b] WHERE coalesce(x.valid_from, $as_of) <= $as_of
                                              AND coalesce(x.valid_to, $as_of) >= $as_of)
RETURN a.id AS source, type(r) AS type, b.id AS target, properties(r) AS props
"""

# One node, every relationship touching it, the nodes at their other ends and the sources it cites.
NODE_LINKS: Final[LiteralString] = """
MATCH (n:Entity {id: $id})
CALL (n) {
  OPTIONAL MATCH (n)-[r]-(m:Entity)
  WHERE $as_of IS NULL OR all(x IN [n, r, m] WHERE coalesce(x.valid_from, $as_of) <= $as_of
                                                AND coalesce(x.valid_to, $as_of) >= $as_of)
  RETURN collect(DISTINCT r) AS rels, collect(DISTINCT m) AS others
}
CALL (n) {
  UNWIND coalesce(n.sources, []) AS sid
  MATCH (s:Entity {id: sid})
  RETURN collect(s) AS cited
}
RETURN [x IN [n] + others + cited | {id: x.id, label: [l IN labels(x) WHERE l <> 'Entity'][0], props: properties(x)}]
       AS nodes,
       [r IN rels | {source: startNode(r).id, type: type(r), target: endNode(r).id, props: properties(r)}] AS edges
"""

# A node's links by group (type and direction) without returning them all (``GraphStore.link_groups``), in one
# round trip anchored on the node: the node and the sources it cites, then one of two ways, chosen by the node's
# degree (``COUNT { (n)--() }``: read from the degree store, not the relationships, on a dense node).
# - At most ``$most`` links: one pass over its relationships. Per group, its links counted by the label at the
#   other end (and how many end at the node itself: which traces find something), one page in ``base.links_out``
#   order (``$order``: each label's place; ``$offset``, ``$limit``; only for the group ``$type``/``$direction``
#   when given), and those that carry a review date. The links are sorted in the database; only the pages and the
#   reviewed links leave it.
# - A hub (more than ``$most``): each group's total from the degree store, one ``COUNT`` per type and direction,
#   written out because a dynamic type (``$(...)``) expands every relationship of the node in Neo4j 5.26 (PROFILE:
#   Expand(All), then a filter on the type); its self-links (SUCCEEDS to itself, the only pattern that can be
#   one); the page of each group asked for, from that group's relationships only (a typed expansion per group,
#   again written out) through a top-$end (``ORDER BY ... LIMIT``) instead of a sort of every link; and the
#   reviewed links (a pass reading one property per relationship). The far ends are not checked for ``Entity``:
#   the loaders write relationships between domain nodes only. The labels at the other end come from the schema
#   (``base.far_labels``) where it fixes the traces; the store reads them per label (``NODE_LINK_KINDS``) only
#   where it does not. Neo4j 5.26 runs a UNION ALL as a chain: each row of a branch goes through the unions after
#   it (about 1 ms per 10,000 rows each: the 48,567 responders of the busiest action point at 1M relationships
#   took 144 ms from the 18th of the 38 branches, 47 ms from the last). So the groups a node can have without
#   bound (``HUB_GROUPS_LAST``: ground-level nodes fanning in, an organisation's or a project's many) come last,
#   the commonest hubs' groups at the very end.
HUB_GROUPS_LAST: Final = (
    ("CONTAINS", "out"),
    ("HAS_COMPONENT", "out"),
    ("FUNDS", "out"),
    ("IMPLEMENTS", "out"),
    ("UNDER", "in"),
    ("DISCUSSED", "in"),
    ("ACTIVE_IN", "in"),
    ("PART_OF", "in"),
    ("INFORMS", "in"),
    ("IN_COUNTRY", "in"),
    ("RESPONDS_TO", "in"),
)
"""The last branches of ``NODE_LINK_GROUPS``' pages, in this order: the groups that grow with the ground."""
NODE_LINK_GROUPS: Final[LiteralString] = """
MATCH (n:Entity {id: $id})
WITH n, COUNT { (n)--() } > $most AS hub
CALL (n) {
  UNWIND coalesce(n.sources, []) AS sid
  MATCH (s:Entity {id: sid})
  RETURN collect(s) AS cited
}
CALL (n, hub) {
  WITH n WHERE NOT hub
  CALL (n) {
    MATCH (n)-[r]->(m:Entity)
    RETURN r, m, 'out' AS direction
    UNION ALL
    MATCH (n)<-[r]-(m:Entity)
    RETURN r, m, 'in' AS direction
  }
  WITH n, r, m, direction, type(r) AS type, [l IN labels(m) WHERE l <> 'Entity'][0] AS label
  ORDER BY coalesce($order[label], 99), m.id
  WITH n, r, m, direction, type, label,
       {source: startNode(r).id, type: type, target: endNode(r).id, r: r, other: m, label: label} AS link
  WITH type, direction, label, count(*) AS total, sum(CASE WHEN m = n THEN 1 ELSE 0 END) AS itself,
       collect(link)[..$offset + $limit] AS firsts, collect(CASE WHEN r.reviewed IS NOT NULL THEN link END) AS reviewed
  ORDER BY coalesce($order[label], 99)
  WITH type, direction, collect({label: label, total: total, itself: itself}) AS kinds,
       reduce(xs = [], x IN collect(firsts) | xs + x) AS firsts,
       reduce(xs = [], x IN collect(reviewed) | xs + x) AS reviewed
  WITH type, direction, kinds, reviewed,
       CASE WHEN $type IS NULL OR (type = $type AND direction = $direction) THEN firsts[$offset..$offset + $limit]
       END AS page
  RETURN collect({
    type: type, direction: direction, kinds: kinds,
    page: [x IN page | x {.source, .type, .target, props: properties(x.r),
                          other: {id: x.other.id, label: x.label, props: properties(x.other)}}],
    reviewed: [x IN reviewed | x {.source, .type, .target, props: properties(x.r),
                                  other: {id: x.other.id, label: x.label, props: properties(x.other)}}]
  }) AS groups
}
CALL (n, hub) {
  WITH n WHERE hub
  WITH n, COUNT { (n)-[:SUCCEEDS]->(n) } AS loops
  UNWIND [
      ['ADOPTED', 'out', COUNT { (n)-[:ADOPTED]->() }],
      ['ADOPTED', 'in', COUNT { (n)<-[:ADOPTED]-() }],
      ['MAKES', 'out', COUNT { (n)-[:MAKES]->() }],
      ['MAKES', 'in', COUNT { (n)<-[:MAKES]-() }],
      ['LAUNCHES', 'out', COUNT { (n)-[:LAUNCHES]->() }],
      ['LAUNCHES', 'in', COUNT { (n)<-[:LAUNCHES]-() }],
      ['SETS', 'out', COUNT { (n)-[:SETS]->() }],
      ['SETS', 'in', COUNT { (n)<-[:SETS]-() }],
      ['CONTAINS', 'out', COUNT { (n)-[:CONTAINS]->() }],
      ['CONTAINS', 'in', COUNT { (n)<-[:CONTAINS]-() }],
      ['UNDER', 'out', COUNT { (n)-[:UNDER]->() }],
      ['UNDER', 'in', COUNT { (n)<-[:UNDER]-() }],
      ['HAS_COMPONENT', 'out', COUNT { (n)-[:HAS_COMPONENT]->() }],
      ['HAS_COMPONENT', 'in', COUNT { (n)<-[:HAS_COMPONENT]-() }],
      ['PART_OF', 'out', COUNT { (n)-[:PART_OF]->() }],
      ['PART_OF', 'in', COUNT { (n)<-[:PART_OF]-() }],
      ['RESPONDS_TO', 'out', COUNT { (n)-[:RESPONDS_TO]->() }],
      ['RESPONDS_TO', 'in', COUNT { (n)<-[:RESPONDS_TO]-() }],
      ['INFORMS', 'out', COUNT { (n)-[:INFORMS]->() }],
      ['INFORMS', 'in', COUNT { (n)<-[:INFORMS]-() }],
      ['DISCUSSED', 'out', COUNT { (n)-[:DISCUSSED]->() }],
      ['DISCUSSED', 'in', COUNT { (n)<-[:DISCUSSED]-() }],
      ['IN_COUNTRY', 'out', COUNT { (n)-[:IN_COUNTRY]->() }],
      ['IN_COUNTRY', 'in', COUNT { (n)<-[:IN_COUNTRY]-() }],
      ['ACTIVE_IN', 'out', COUNT { (n)-[:ACTIVE_IN]->() }],
      ['ACTIVE_IN', 'in', COUNT { (n)<-[:ACTIVE_IN]-() }],
      ['PARTICIPATES_IN', 'out', COUNT { (n)-[:PARTICIPATES_IN]->() }],
      ['PARTICIPATES_IN', 'in', COUNT { (n)<-[:PARTICIPATES_IN]-() }],
      ['IN_REGION', 'out', COUNT { (n)-[:IN_REGION]->() }],
      ['IN_REGION', 'in', COUNT { (n)<-[:IN_REGION]-() }],
      ['FUNDS', 'out', COUNT { (n)-[:FUNDS]->() }],
      ['FUNDS', 'in', COUNT { (n)<-[:FUNDS]-() }],
      ['IMPLEMENTS', 'out', COUNT { (n)-[:IMPLEMENTS]->() }],
      ['IMPLEMENTS', 'in', COUNT { (n)<-[:IMPLEMENTS]-() }],
      ['PRODUCED', 'out', COUNT { (n)-[:PRODUCED]->() }],
      ['PRODUCED', 'in', COUNT { (n)<-[:PRODUCED]-() }],
      ['SUCCEEDS', 'out', COUNT { (n)-[:SUCCEEDS]->() }],
      ['SUCCEEDS', 'in', COUNT { (n)<-[:SUCCEEDS]-() }]
  ] AS d
  WITH n, loops, d WHERE d[2] > 0
  CALL (n, d) {
    WITH n, [d[0], d[1]] AS g WHERE $type IS NULL OR (d[0] = $type AND d[1] = $direction)
    CALL (n, g) {
        WITH n, g WHERE g = ['ADOPTED', 'out'] MATCH (n)-[r:ADOPTED]->(m) RETURN r, m
        UNION ALL
        WITH n, g WHERE g = ['ADOPTED', 'in'] MATCH (n)<-[r:ADOPTED]-(m) RETURN r, m
        UNION ALL
        WITH n, g WHERE g = ['MAKES', 'out'] MATCH (n)-[r:MAKES]->(m) RETURN r, m
        UNION ALL
        WITH n, g WHERE g = ['MAKES', 'in'] MATCH (n)<-[r:MAKES]-(m) RETURN r, m
        UNION ALL
        WITH n, g WHERE g = ['LAUNCHES', 'out'] MATCH (n)-[r:LAUNCHES]->(m) RETURN r, m
        UNION ALL
        WITH n, g WHERE g = ['LAUNCHES', 'in'] MATCH (n)<-[r:LAUNCHES]-(m) RETURN r, m
        UNION ALL
        WITH n, g WHERE g = ['SETS', 'out'] MATCH (n)-[r:SETS]->(m) RETURN r, m
        UNION ALL
        WITH n, g WHERE g = ['SETS', 'in'] MATCH (n)<-[r:SETS]-(m) RETURN r, m
        UNION ALL
        WITH n, g WHERE g = ['CONTAINS', 'in'] MATCH (n)<-[r:CONTAINS]-(m) RETURN r, m
        UNION ALL
        WITH n, g WHERE g = ['UNDER', 'out'] MATCH (n)-[r:UNDER]->(m) RETURN r, m
        UNION ALL
        WITH n, g WHERE g = ['HAS_COMPONENT', 'in'] MATCH (n)<-[r:HAS_COMPONENT]-(m) RETURN r, m
        UNION ALL
        WITH n, g WHERE g = ['PART_OF', 'out'] MATCH (n)-[r:PART_OF]->(m) RETURN r, m
        UNION ALL
        WITH n, g WHERE g = ['RESPONDS_TO', 'out'] MATCH (n)-[r:RESPONDS_TO]->(m) RETURN r, m
        UNION ALL
        WITH n, g WHERE g = ['INFORMS', 'out'] MATCH (n)-[r:INFORMS]->(m) RETURN r, m
        UNION ALL
        WITH n, g WHERE g = ['DISCUSSED', 'out'] MATCH (n)-[r:DISCUSSED]->(m) RETURN r, m
        UNION ALL
        WITH n, g WHERE g = ['IN_COUNTRY', 'out'] MATCH (n)-[r:IN_COUNTRY]->(m) RETURN r, m
        UNION ALL
        WITH n, g WHERE g = ['ACTIVE_IN', 'out'] MATCH (n)-[r:ACTIVE_IN]->(m) RETURN r, m
        UNION ALL
        WITH n, g WHERE g = ['PARTICIPATES_IN', 'out'] MATCH (n)-[r:PARTICIPATES_IN]->(m) RETURN r, m
        UNION ALL
        WITH n, g WHERE g = ['PARTICIPATES_IN', 'in'] MATCH (n)<-[r:PARTICIPATES_IN]-(m) RETURN r, m
        UNION ALL
        WITH n, g WHERE g = ['IN_REGION', 'out'] MATCH (n)-[r:IN_REGION]->(m) RETURN r, m
        UNION ALL
        WITH n, g WHERE g = ['IN_REGION', 'in'] MATCH (n)<-[r:IN_REGION]-(m) RETURN r, m
        UNION ALL
        WITH n, g WHERE g = ['FUNDS', 'in'] MATCH (n)<-[r:FUNDS]-(m) RETURN r, m
        UNION ALL
        WITH n, g WHERE g = ['IMPLEMENTS', 'in'] MATCH (n)<-[r:IMPLEMENTS]-(m) RETURN r, m
        UNION ALL
        WITH n, g WHERE g = ['PRODUCED', 'out'] MATCH (n)-[r:PRODUCED]->(m) RETURN r, m
        UNION ALL
        WITH n, g WHERE g = ['PRODUCED', 'in'] MATCH (n)<-[r:PRODUCED]-(m) RETURN r, m
        UNION ALL
        WITH n, g WHERE g = ['SUCCEEDS', 'out'] MATCH (n)-[r:SUCCEEDS]->(m) RETURN r, m
        UNION ALL
        WITH n, g WHERE g = ['SUCCEEDS', 'in'] MATCH (n)<-[r:SUCCEEDS]-(m) RETURN r, m
        UNION ALL
        WITH n, g WHERE g = ['CONTAINS', 'out'] MATCH (n)-[r:CONTAINS]->(m) RETURN r, m
        UNION ALL
        WITH n, g WHERE g = ['HAS_COMPONENT', 'out'] MATCH (n)-[r:HAS_COMPONENT]->(m) RETURN r, m
        UNION ALL
        WITH n, g WHERE g = ['FUNDS', 'out'] MATCH (n)-[r:FUNDS]->(m) RETURN r, m
        UNION ALL
        WITH n, g WHERE g = ['IMPLEMENTS', 'out'] MATCH (n)-[r:IMPLEMENTS]->(m) RETURN r, m
        UNION ALL
        WITH n, g WHERE g = ['UNDER', 'in'] MATCH (n)<-[r:UNDER]-(m) RETURN r, m
        UNION ALL
        WITH n, g WHERE g = ['DISCUSSED', 'in'] MATCH (n)<-[r:DISCUSSED]-(m) RETURN r, m
        UNION ALL
        WITH n, g WHERE g = ['ACTIVE_IN', 'in'] MATCH (n)<-[r:ACTIVE_IN]-(m) RETURN r, m
        UNION ALL
        WITH n, g WHERE g = ['PART_OF', 'in'] MATCH (n)<-[r:PART_OF]-(m) RETURN r, m
        UNION ALL
        WITH n, g WHERE g = ['INFORMS', 'in'] MATCH (n)<-[r:INFORMS]-(m) RETURN r, m
        UNION ALL
        WITH n, g WHERE g = ['IN_COUNTRY', 'in'] MATCH (n)<-[r:IN_COUNTRY]-(m) RETURN r, m
        UNION ALL
        WITH n, g WHERE g = ['RESPONDS_TO', 'in'] MATCH (n)<-[r:RESPONDS_TO]-(m) RETURN r, m
    }
    WITH r, m, [l IN labels(m) WHERE l <> 'Entity'][0] AS label
    ORDER BY coalesce($order[label], 99), m.id
    LIMIT $end
    RETURN collect({r: r, m: m, label: label}) AS firsts
  }
  RETURN collect({
    type: d[0], direction: d[1], total: d[2],
    page: CASE WHEN $type IS NULL OR (d[0] = $type AND d[1] = $direction) THEN
            [x IN firsts[$offset..] | {source: startNode(x.r).id, type: d[0], target: endNode(x.r).id,
                                       props: properties(x.r),
                                       other: {id: x.m.id, label: x.label, props: properties(x.m)}}]
          END
  }) AS degrees, max(loops) AS loops
}
CALL (n, hub) {
  WITH n WHERE hub
  CALL (n) {
    MATCH (n)-[r]->(m) WHERE r.reviewed IS NOT NULL
    RETURN r, m, 'out' AS direction
    UNION ALL
    MATCH (n)<-[r]-(m) WHERE r.reviewed IS NOT NULL
    RETURN r, m, 'in' AS direction
  }
  RETURN collect({direction: direction, source: startNode(r).id, type: type(r), target: endNode(r).id,
                  props: properties(r),
                  other: {id: m.id, label: [l IN labels(m) WHERE l <> 'Entity'][0], props: properties(m)}}) AS reviewed
}
RETURN [x IN [n] + cited | {id: x.id, label: [l IN labels(x) WHERE l <> 'Entity'][0], props: properties(x)}] AS nodes,
       hub, groups, degrees, loops, reviewed
"""

# One node, the sources it cites, and its links counted by type and direction (``GraphStore.node``), without reading
# them: each count from the degree store on a dense node, so a hub's counts cost what anyone's do. Written out per
# type, as in ``NODE_LINK_GROUPS`` (a dynamic type expands every relationship of the node). A link to the node
# itself counts once each way, as ``base.node_out`` counts it.
NODE_COUNTED: Final[LiteralString] = """
MATCH (n:Entity {id: $id})
CALL (n) {
  UNWIND coalesce(n.sources, []) AS sid
  MATCH (s:Entity {id: sid})
  RETURN collect(s) AS cited
}
WITH n, cited, [
      ['ADOPTED', 'out', COUNT { (n)-[:ADOPTED]->() }],
      ['ADOPTED', 'in', COUNT { (n)<-[:ADOPTED]-() }],
      ['MAKES', 'out', COUNT { (n)-[:MAKES]->() }],
      ['MAKES', 'in', COUNT { (n)<-[:MAKES]-() }],
      ['LAUNCHES', 'out', COUNT { (n)-[:LAUNCHES]->() }],
      ['LAUNCHES', 'in', COUNT { (n)<-[:LAUNCHES]-() }],
      ['SETS', 'out', COUNT { (n)-[:SETS]->() }],
      ['SETS', 'in', COUNT { (n)<-[:SETS]-() }],
      ['CONTAINS', 'out', COUNT { (n)-[:CONTAINS]->() }],
      ['CONTAINS', 'in', COUNT { (n)<-[:CONTAINS]-() }],
      ['UNDER', 'out', COUNT { (n)-[:UNDER]->() }],
      ['UNDER', 'in', COUNT { (n)<-[:UNDER]-() }],
      ['HAS_COMPONENT', 'out', COUNT { (n)-[:HAS_COMPONENT]->() }],
      ['HAS_COMPONENT', 'in', COUNT { (n)<-[:HAS_COMPONENT]-() }],
      ['PART_OF', 'out', COUNT { (n)-[:PART_OF]->() }],
      ['PART_OF', 'in', COUNT { (n)<-[:PART_OF]-() }],
      ['RESPONDS_TO', 'out', COUNT { (n)-[:RESPONDS_TO]->() }],
      ['RESPONDS_TO', 'in', COUNT { (n)<-[:RESPONDS_TO]-() }],
      ['INFORMS', 'out', COUNT { (n)-[:INFORMS]->() }],
      ['INFORMS', 'in', COUNT { (n)<-[:INFORMS]-() }],
      ['DISCUSSED', 'out', COUNT { (n)-[:DISCUSSED]->() }],
      ['DISCUSSED', 'in', COUNT { (n)<-[:DISCUSSED]-() }],
      ['IN_COUNTRY', 'out', COUNT { (n)-[:IN_COUNTRY]->() }],
      ['IN_COUNTRY', 'in', COUNT { (n)<-[:IN_COUNTRY]-() }],
      ['ACTIVE_IN', 'out', COUNT { (n)-[:ACTIVE_IN]->() }],
      ['ACTIVE_IN', 'in', COUNT { (n)<-[:ACTIVE_IN]-() }],
      ['PARTICIPATES_IN', 'out', COUNT { (n)-[:PARTICIPATES_IN]->() }],
      ['PARTICIPATES_IN', 'in', COUNT { (n)<-[:PARTICIPATES_IN]-() }],
      ['IN_REGION', 'out', COUNT { (n)-[:IN_REGION]->() }],
      ['IN_REGION', 'in', COUNT { (n)<-[:IN_REGION]-() }],
      ['FUNDS', 'out', COUNT { (n)-[:FUNDS]->() }],
      ['FUNDS', 'in', COUNT { (n)<-[:FUNDS]-() }],
      ['IMPLEMENTS', 'out', COUNT { (n)-[:IMPLEMENTS]->() }],
      ['IMPLEMENTS', 'in', COUNT { (n)<-[:IMPLEMENTS]-() }],
      ['PRODUCED', 'out', COUNT { (n)-[:PRODUCED]->() }],
      ['PRODUCED', 'in', COUNT { (n)<-[:PRODUCED]-() }],
      ['SUCCEEDS', 'out', COUNT { (n)-[:SUCCEEDS]->() }],
      ['SUCCEEDS', 'in', COUNT { (n)<-[:SUCCEEDS]-() }]
] AS degrees
RETURN [x IN [n] + cited | {id: x.id, label: [l IN labels(x) WHERE l <> 'Entity'][0], props: properties(x)}] AS nodes,
       [d IN degrees WHERE d[2] > 0 | {type: d[0], direction: d[1], count: d[2]}] AS counts
"""

# A hub's groups whose labels at the other end the schema does not fix for the traces (``$groups``: [type,
# direction] pairs): its links there counted by that label, and how many end at the node itself. Rare (a hub's
# big groups have one rank at the other end): one pass over the node's relationships.
NODE_LINK_KINDS: Final[LiteralString] = """
MATCH (n:Entity {id: $id})
CALL (n) {
  MATCH (n)-[r]->(m:Entity) WHERE [type(r), 'out'] IN $groups
  RETURN r, m, 'out' AS direction
  UNION ALL
  MATCH (n)<-[r]-(m:Entity) WHERE [type(r), 'in'] IN $groups
  RETURN r, m, 'in' AS direction
}
RETURN type(r) AS type, direction, [l IN labels(m) WHERE l <> 'Entity'][0] AS label, count(*) AS total,
       sum(CASE WHEN m = n THEN 1 ELSE 0 END) AS itself
"""

# A page in the order of ``base.node_sort_key`` (label, number missing last, number, id), with the total before
# paging, in one transaction; ``$q`` is already lower-cased; ``$label`` (or null) is a schema label. The nodes are
# kept as they are, not as maps of their properties, until the page is cut: a label list of tens of thousands of
# nodes builds the properties of its page only (issue 17: a list page reads its page and its total).
PAGE_NODE_REFS: Final[LiteralString] = """
MATCH (n:Entity)
WHERE $label IS NULL OR $label IN labels(n)
WITH n, [l IN labels(n) WHERE l <> 'Entity'][0] AS label
WHERE $q IS NULL OR toLower(coalesce(n.name, n.id)) CONTAINS $q OR n.id CONTAINS $q
WITH n, label
ORDER BY label, n.number IS NULL, coalesce(n.number, 0), n.id
WITH collect(n) AS found
RETURN size(found) AS total,
       [x IN found[$offset..$offset + $limit] |
        {id: x.id, label: [l IN labels(x) WHERE l <> 'Entity'][0], props: properties(x)}] AS page
"""

# Full-text candidates: ``$query`` is a Lucene query built by the adapter from search words
# (``bpkg.app.search_words.index_term``: cased letters and decimal digits only, never query syntax). The index
# is ``bpkg.graph_schema.FULLTEXT_INDEX`` on Entity(name, aliases, description, id). One row holding every
# candidate with only what ranking reads (``search.FIELDS``, and the confidence a hit shows): at 1M relationships
# "border" has 2,090 candidates, 37 ms as a record each with every property, 13 ms so.
TEXT_CANDIDATES: Final[LiteralString] = """
CALL db.index.fulltext.queryNodes('entity_words', $query) YIELD node
WITH node AS n
WHERE n:Entity
RETURN collect([n.id, [l IN labels(n) WHERE l <> 'Entity'][0], n.name, n.aliases, n.description, n.confidence])
       AS found
"""
TEXT_PROPS: Final = ("name", "aliases", "description", "confidence")
"""What ``TEXT_CANDIDATES`` gives of each candidate after its id and label, in its order: the fields search ranks
on (``bpkg.app.store.search.FIELDS``) and the confidence a hit shows. Lists, not maps: a common word has a hundred
thousand candidates at 1M relationships, and maps of properties took a second more to send and to read."""

# The material of "who responds to this action point", in one round trip anchored on the action point (see
# bpkg.app.store.response_builder): its UNDER links, the RESPONDS_TO links into it (and into its goal when
# $goal_level), each responder's PART_OF / IN_COUNTRY / ACTIVE_IN links, the HAS_COMPONENT links into the
# responders and what they are part of, and every node these name (countries named on the links too): the
# whole headline answer in one query (the services keep it per dataset version).
RESPONSE_MATERIAL: Final[LiteralString] = """
MATCH (ap:Entity {id: $id})
OPTIONAL MATCH (ap)-[under:UNDER]->(goal:Entity)
WITH ap, collect(under) AS unders, collect(goal) AS goals
CALL (ap, goals) {
  UNWIND [ap] + CASE WHEN $goal_level THEN goals ELSE [] END AS t
  MATCH (r:Entity)-[link:RESPONDS_TO]->(t)
  WHERE $as_of IS NULL OR all(x IN [r, link] WHERE coalesce(x.valid_from, $as_of) <= $as_of
                                                AND coalesce(x.valid_to, $as_of) >= $as_of)
  RETURN collect(link) AS links, collect(DISTINCT r) AS responders
}
CALL (responders) {
  UNWIND responders AS r
  MATCH (r)-[c:PART_OF|IN_COUNTRY|ACTIVE_IN]->(up:Entity)
  WHERE $as_of IS NULL OR all(x IN [c, up] WHERE coalesce(x.valid_from, $as_of) <= $as_of
                                              AND coalesce(x.valid_to, $as_of) >= $as_of)
  RETURN collect(c) AS ups, collect(DISTINCT up) AS above
}
CALL (responders, above) {
  UNWIND responders + above AS h
  MATCH (owner:Entity)-[has:HAS_COMPONENT]->(h)
  WHERE $as_of IS NULL OR all(x IN [has, owner] WHERE coalesce(x.valid_from, $as_of) <= $as_of
                                                  AND coalesce(x.valid_to, $as_of) >= $as_of)
  RETURN collect(DISTINCT has) AS owners, collect(DISTINCT owner) AS owning
}
CALL (links) {
  UNWIND links AS link
  UNWIND coalesce(link.countries, []) AS cid
  MATCH (c:Entity {id: cid})
  RETURN collect(DISTINCT c) AS named
}
WITH ap, unders + links + ups + owners AS found, [ap] + goals + responders + above + owning + named AS ns
RETURN [n IN ns | {id: n.id, label: [l IN labels(n) WHERE l <> 'Entity'][0], props: properties(n)}] AS nodes,
       [e IN found | {source: startNode(e).id, type: type(e), target: endNode(e).id, props: properties(e)}] AS edges
"""

# A whole trace in one round trip, with its breadth-first layer written once: a reduce over range(1, $depth) adds
# one layer per step, each a COLLECT subquery that expands the last layer's frontier only along the relationship
# types that can move the right way (every type of the schema: a trace may be asked for any, as memory follows
# any; a generated graph found PARTICIPATES_IN missing), each in the direction the schema fixes for it (SUCCEEDS,
# sideways, both ways: in the outgoing and the incoming expansion). The types are written out: a dynamic list
# ($any(...)) is not pushed into the expansion by Neo4j 5.26, which then read every link of a hub and filtered
# (92k db hits for a 31-node trace at 100k relationships); tests/unit/test_trace_directions.py checks the lists
# against bpkg.graph_schema.PATTERNS and the ranks (store.trace_directions). Then keeps the chosen $types, the moves
# to a lower rank ($sign -1, TRACE_UP) or a higher one ($sign 1, TRACE_DOWN), or sideways along $sideways (SUCCEEDS),
# $rank mapping labels to ranks (bpkg.app.store.base.RANK); as of a day ($as_of), only links and nodes that may
# have existed then. Each layer is {moves: [[relationship, node reached]], frontier: its distinct nodes}; the
# frontier is made distinct by a COLLECT of its own (a DISTINCT before the expansion, in the same subquery, made
# Neo4j 5.26 count the whole accumulator again for every row: past the 256 MB transaction limit for a trace down
# from a busy action point). A node reached again in a later layer is expanded again, which adds nothing but saves
# a membership test; rows are made distinct at the end. Written out once instead of once per layer (as before),
# the query takes a third to a half of the planning: on a freshly started server, 2.7 s against 5.1 s for the
# four-layer form at load 6-9 (docs/performance.md, "Issue 17: walks as one query"). (A quantified path pattern
# cannot fix the direction per type: undirected, with the direction in its predicate, it read every link of the
# hubs on the way, 95k db hits against 1.5k; with the rank predicate inline Neo4j 5.26 searched every path
# within the bound and filtered afterwards.) Each node and link comes back as the row of the answer, with only what
# a trace shows (``TRACE_NODE_KEYS``, then ``graph_types.LINK_KEYS``: a missing one null, or an empty list for a
# list with a default): not the sink's hash, owners and key, nor a node's description (2 ms of the 16 of a trace
# down of 2,400 objects at 1M relationships), and the rows go to the answer as they come (``base.graph_of``).
TRACE_NODE_KEYS: Final = ("id", "label", "name", "confidence", "number")
"""What a trace's answer reads of a node: ``NodeRef``'s fields (``base.graph_of``), and its number to sort."""
TRACE_UP: Final[LiteralString] = """
MATCH (s:Entity {id: $id})
WITH s, reduce(layers = [{moves: [], frontier: [s]}], step IN range(1, $depth) |
  layers + [moves IN [COLLECT {
    UNWIND last(layers).frontier AS a
    CALL (a) {
      MATCH (a)-[r:ADOPTED|DISCUSSED|FUNDS|IMPLEMENTS|INFORMS|MAKES|PARTICIPATES_IN|PART_OF|
                 RESPONDS_TO|UNDER|SUCCEEDS]->(b:Entity) RETURN r, b
      UNION ALL
      MATCH (a)<-[r:ACTIVE_IN|CONTAINS|HAS_COMPONENT|IN_COUNTRY|IN_REGION|LAUNCHES|PRODUCED|SETS|
                  SUCCEEDS]-(b:Entity) RETURN r, b
    }
    WITH a, r, b,
         $rank[[l IN labels(b) WHERE l <> 'Entity'][0]] - $rank[[l IN labels(a) WHERE l <> 'Entity'][0]] AS rise
    WHERE a <> b AND type(r) IN $types AND ($sign * rise > 0 OR (rise = 0 AND type(r) = $sideways))
      AND ($as_of IS NULL OR all(x IN [r, b] WHERE coalesce(x.valid_from, $as_of) <= $as_of
                                              AND coalesce(x.valid_to, $as_of) >= $as_of))
    RETURN [r, b] AS move
  }] | {moves: moves, frontier: COLLECT { UNWIND moves AS move RETURN DISTINCT move[1] }}]) AS layers
CALL (s, layers) {
  UNWIND [s] + reduce(reached = [], layer IN layers | reached + [move IN layer.moves | move[1]]) AS n
  WITH DISTINCT n
  RETURN collect(n) AS ends
}
CALL (layers) {
  UNWIND layers AS layer
  UNWIND layer.moves AS move
  WITH DISTINCT move[0] AS e
  RETURN collect(e) AS walked
}
RETURN [n IN ends | n {.id, label: [l IN labels(n) WHERE l <> 'Entity'][0], name: coalesce(n.name, n.id),
                       .confidence, .number}] AS nodes,
       [e IN walked | e {source: startNode(e).id, type: type(e), target: endNode(e).id, .confidence, .sources,
                         .strength, .note, countries: coalesce(e.countries, []), .role, .kind, .when, .reviewed,
                         locators: coalesce(e.locators, [])}] AS edges
"""

TRACE_DOWN: Final[LiteralString] = """
MATCH (s:Entity {id: $id})
WITH s, reduce(layers = [{moves: [], frontier: [s]}], step IN range(1, $depth) |
  layers + [moves IN [COLLECT {
    UNWIND last(layers).frontier AS a
    CALL (a) {
      MATCH (a)-[r:ACTIVE_IN|CONTAINS|HAS_COMPONENT|IN_COUNTRY|IN_REGION|LAUNCHES|PRODUCED|SETS|
                 SUCCEEDS]->(b:Entity) RETURN r, b
      UNION ALL
      MATCH (a)<-[r:ADOPTED|DISCUSSED|FUNDS|IMPLEMENTS|INFORMS|MAKES|PARTICIPATES_IN|PART_OF|
                  RESPONDS_TO|UNDER|SUCCEEDS]-(b:Entity) RETURN r, b
    }
    WITH a, r, b,
         $rank[[l IN labels(b) WHERE l <> 'Entity'][0]] - $rank[[l IN labels(a) WHERE l <> 'Entity'][0]] AS rise
    WHERE a <> b AND type(r) IN $types AND ($sign * rise > 0 OR (rise = 0 AND type(r) = $sideways))
      AND ($as_of IS NULL OR all(x IN [r, b] WHERE coalesce(x.valid_from, $as_of) <= $as_of
                                              AND coalesce(x.valid_to, $as_of) >= $as_of))
    RETURN [r, b] AS move
  }] | {moves: moves, frontier: COLLECT { UNWIND moves AS move RETURN DISTINCT move[1] }}]) AS layers
CALL (s, layers) {
  UNWIND [s] + reduce(reached = [], layer IN layers | reached + [move IN layer.moves | move[1]]) AS n
  WITH DISTINCT n
  RETURN collect(n) AS ends
}
CALL (layers) {
  UNWIND layers AS layer
  UNWIND layer.moves AS move
  WITH DISTINCT move[0] AS e
  RETURN collect(e) AS walked
}
RETURN [n IN ends | n {.id, label: [l IN labels(n) WHERE l <> 'Entity'][0], name: coalesce(n.name, n.id),
                       .confidence, .number}] AS nodes,
       [e IN walked | e {source: startNode(e).id, type: type(e), target: endNode(e).id, .confidence, .sources,
                         .strength, .note, countries: coalesce(e.countries, []), .role, .kind, .when, .reviewed,
                         locators: coalesce(e.locators, [])}] AS edges
"""

# A trace told in outline, for the trace page of a node that reaches tens of thousands (``trace_outline``): the
# walk of TRACE_UP (TRACE_DOWN), written out again (queries are constants), that keeps each layer's frontier only,
# and gives every node reached (the start left out) as [hops, label, number, id]: the first layer that reaches
# it, then what places it in node order. The store sorts these and reads the few nodes it shows.
# Sorted here instead, the 86,068 nodes that ap-10 reaches at depth 4 at 1M relationships passed the 256 MiB a
# transaction may hold on the embedded server (docs/performance.md, "The trace page of a hub").
TRACE_OUTLINE_UP: Final[LiteralString] = """
MATCH (s:Entity {id: $id})
WITH s, reduce(fronts = [[s]], step IN range(1, $depth) |
  fronts + [COLLECT {
    UNWIND last(fronts) AS a
    CALL (a) {
      MATCH (a)-[r:ADOPTED|DISCUSSED|FUNDS|IMPLEMENTS|INFORMS|MAKES|PARTICIPATES_IN|PART_OF|
                 RESPONDS_TO|UNDER|SUCCEEDS]->(b:Entity) RETURN r, b
      UNION ALL
      MATCH (a)<-[r:ACTIVE_IN|CONTAINS|HAS_COMPONENT|IN_COUNTRY|IN_REGION|LAUNCHES|PRODUCED|SETS|
                  SUCCEEDS]-(b:Entity) RETURN r, b
    }
    WITH a, r, b,
         $rank[[l IN labels(b) WHERE l <> 'Entity'][0]] - $rank[[l IN labels(a) WHERE l <> 'Entity'][0]] AS rise
    WHERE a <> b AND type(r) IN $types AND ($sign * rise > 0 OR (rise = 0 AND type(r) = $sideways))
    RETURN DISTINCT b
  }]) AS fronts
CALL (s, fronts) {
  UNWIND range(1, size(fronts) - 1) AS i
  UNWIND fronts[i] AS n
  WITH n, min(i) AS hops
  WHERE n <> s
  RETURN collect([hops, [l IN labels(n) WHERE l <> 'Entity'][0], n.number, n.id]) AS reached
}
RETURN s.id AS start, reached
"""

TRACE_OUTLINE_DOWN: Final[LiteralString] = """
MATCH (s:Entity {id: $id})
WITH s, reduce(fronts = [[s]], step IN range(1, $depth) |
  fronts + [COLLECT {
    UNWIND last(fronts) AS a
    CALL (a) {
      MATCH (a)-[r:ACTIVE_IN|CONTAINS|HAS_COMPONENT|IN_COUNTRY|IN_REGION|LAUNCHES|PRODUCED|SETS|
                 SUCCEEDS]->(b:Entity) RETURN r, b
      UNION ALL
      MATCH (a)<-[r:ADOPTED|DISCUSSED|FUNDS|IMPLEMENTS|INFORMS|MAKES|PARTICIPATES_IN|PART_OF|
                  RESPONDS_TO|UNDER|SUCCEEDS]-(b:Entity) RETURN r, b
    }
    WITH a, r, b,
         $rank[[l IN labels(b) WHERE l <> 'Entity'][0]] - $rank[[l IN labels(a) WHERE l <> 'Entity'][0]] AS rise
    WHERE a <> b AND type(r) IN $types AND ($sign * rise > 0 OR (rise = 0 AND type(r) = $sideways))
    RETURN DISTINCT b
  }]) AS fronts
CALL (s, fronts) {
  UNWIND range(1, size(fronts) - 1) AS i
  UNWIND fronts[i] AS n
  WITH n, min(i) AS hops
  WHERE n <> s
  RETURN collect([hops, [l IN labels(n) WHERE l <> 'Entity'][0], n.number, n.id]) AS reached
}
RETURN s.id AS start, reached
"""

# The two ends of a search for paths (twosided.py): their degrees (what each side's first layer reads), for an
# end of at most $budget relationships the sum of its neighbours' degrees (what its second layer would read;
# null above), and whether both may have existed on $as_of (null: today); no row when either is missing.
PATH_ENDS: Final[LiteralString] = """
MATCH (s:Entity {id: $source}), (t:Entity {id: $target})
WITH s, t, COUNT { (s)--() } AS ds, COUNT { (t)--() } AS dt
CALL (s, ds) { MATCH (s)--(m) WHERE ds <= $budget RETURN sum(COUNT { (m)--() }) AS sn }
CALL (t, dt) { MATCH (t)--(m) WHERE dt <= $budget RETURN sum(COUNT { (m)--() }) AS tn }
RETURN ds AS source_degree, dt AS target_degree,
       CASE WHEN ds <= $budget THEN sn END AS source_next, CASE WHEN dt <= $budget THEN tn END AS target_next,
       $as_of IS NULL OR all(n IN [s, t] WHERE coalesce(n.valid_from, $as_of) <= $as_of
                                          AND coalesce(n.valid_to, $as_of) >= $as_of) AS alive
"""

# One layer of that search: every neighbour of the nodes $ids (relationships in either direction; as of $as_of,
# through relationships and to nodes that may have existed then), with its degree (what reading it would cost),
# one row per node of $ids (fewer records for the driver to make); when some neighbours are in $meet (the other
# side's frontier: the sides meet), only the rows reaching those, so the last layer sends the meeting, not the
# whole layer.
PATH_LAYER: Final[LiteralString] = """
UNWIND $ids AS id
MATCH (a:Entity {id: id})-[r]-(b:Entity)
WHERE $as_of IS NULL OR (coalesce(r.valid_from, $as_of) <= $as_of AND coalesce(r.valid_to, $as_of) >= $as_of
                         AND coalesce(b.valid_from, $as_of) <= $as_of AND coalesce(b.valid_to, $as_of) >= $as_of)
WITH DISTINCT a.id AS near, b
WITH collect({near: near, far: b}) AS moves
WITH moves, [m IN moves WHERE m.far.id IN $meet] AS met
UNWIND CASE WHEN met = [] THEN moves ELSE met END AS move
WITH move.near AS near, move.far AS b
RETURN near, collect([b.id, COUNT { (b)--() }]) AS reached
"""

# What the paths found show: the nodes $ids, and every relationship joining the two nodes of each pair in $pairs
# (either direction; as of $as_of, those that may have existed then), in one read.
PATH_DETAILS: Final[LiteralString] = """
CALL () {
  UNWIND $ids AS id
  MATCH (n:Entity {id: id})
  RETURN collect({id: n.id, label: [l IN labels(n) WHERE l <> 'Entity'][0], props: properties(n)}) AS nodes
}
CALL () {
  UNWIND $pairs AS pair
  MATCH (:Entity {id: pair[0]})-[r]-(:Entity {id: pair[1]})
  WHERE $as_of IS NULL OR (coalesce(r.valid_from, $as_of) <= $as_of AND coalesce(r.valid_to, $as_of) >= $as_of)
  WITH DISTINCT r
  RETURN collect({source: startNode(r).id, type: type(r), target: endNode(r).id, props: properties(r)}) AS joins
}
RETURN nodes, joins
"""

# The shortest paths between two nodes (relationships in either direction), at most $max_hops long (the
# pattern's bound is traversal.MAX_PATH_HOPS), the first $limit in the order of their id sequences, with
# their nodes and every relationship joining two nodes next to each other on them: one read for the whole
# answer. Every relationship joining two neighbours on a shortest path makes a shortest path of its own with
# the same nodes, so the paths grouped by their node sequence carry exactly those relationships.
# allShortestPaths is Neo4j's two-sided breadth-first search between the two anchored nodes (it stops at the
# layer where the sides meet); it grows the side with fewer nodes, not fewer relationships, so a hub next to
# one end is read when that side is the smaller (see docs/performance.md): the store asks it only when the
# search that grows the cheaper side (twosided.py) would read more than its budget in one layer.
PATHS: Final[LiteralString] = """
MATCH (s:Entity {id: $source}), (t:Entity {id: $target})
MATCH p = allShortestPaths((s)-[*..6]-(t))
WITH p WHERE length(p) <= $max_hops
WITH [n IN nodes(p) | n.id] AS ids, nodes(p) AS ns, relationships(p) AS rs
WITH ids, head(collect(ns)) AS ns, collect(rs) AS paths
ORDER BY ids
LIMIT $limit
RETURN ids, [n IN ns | {id: n.id, label: [l IN labels(n) WHERE l <> 'Entity'][0], props: properties(n)}] AS nodes,
       [r IN reduce(all = [], rs IN paths | all + rs) |
        {source: startNode(r).id, type: type(r), target: endNode(r).id, props: properties(r)}] AS joins
"""

# Every way of exactly N steps between two nodes (WAYS_N): simple paths (relationships in either direction, no
# node twice), anchored on both ends, the first $limit in the order of their id sequences; with $as_of (else
# null), through nodes and relationships that may all have existed then. One constant per length because a
# variable-length bound cannot be a parameter; the adapter asks the lengths in turn, shortest first, and stops
# when it has the page (traversal.MAX_WAYS bounds how far it pages).
WAYS_1: Final[LiteralString] = """
MATCH (s:Entity {id: $source}), (t:Entity {id: $target})
MATCH p = (s)-[*1]-(t)
WHERE all(i IN range(1, length(p)) WHERE NOT nodes(p)[i] IN nodes(p)[..i])
  AND ($as_of IS NULL
       OR (all(n IN nodes(p) WHERE coalesce(n.valid_from, $as_of) <= $as_of AND coalesce(n.valid_to, $as_of) >= $as_of)
           AND all(r IN relationships(p) WHERE coalesce(r.valid_from, $as_of) <= $as_of
                                           AND coalesce(r.valid_to, $as_of) >= $as_of)))
WITH DISTINCT [n IN nodes(p) | n.id] AS ids, nodes(p) AS ns
ORDER BY ids
LIMIT $limit
RETURN ids, [n IN ns | {id: n.id, label: [l IN labels(n) WHERE l <> 'Entity'][0], props: properties(n)}] AS nodes
"""

WAYS_2: Final[LiteralString] = """
MATCH (s:Entity {id: $source}), (t:Entity {id: $target})
MATCH p = (s)-[*2]-(t)
WHERE all(i IN range(1, length(p)) WHERE NOT nodes(p)[i] IN nodes(p)[..i])
  AND ($as_of IS NULL
       OR (all(n IN nodes(p) WHERE coalesce(n.valid_from, $as_of) <= $as_of AND coalesce(n.valid_to, $as_of) >= $as_of)
           AND all(r IN relationships(p) WHERE coalesce(r.valid_from, $as_of) <= $as_of
                                           AND coalesce(r.valid_to, $as_of) >= $as_of)))
WITH DISTINCT [n IN nodes(p) | n.id] AS ids, nodes(p) AS ns
ORDER BY ids
LIMIT $limit
RETURN ids, [n IN ns | {id: n.id, label: [l IN labels(n) WHERE l <> 'Entity'][0], props: properties(n)}] AS nodes
"""

WAYS_3: Final[LiteralString] = """
MATCH (s:Entity {id: $source}), (t:Entity {id: $target})
MATCH p = (s)-[*3]-(t)
WHERE all(i IN range(1, length(p)) WHERE NOT nodes(p)[i] IN nodes(p)[..i])
  AND ($as_of IS NULL
       OR (all(n IN nodes(p) WHERE coalesce(n.valid_from, $as_of) <= $as_of AND coalesce(n.valid_to, $as_of) >= $as_of)
           AND all(r IN relationships(p) WHERE coalesce(r.valid_from, $as_of) <= $as_of
                                           AND coalesce(r.valid_to, $as_of) >= $as_of)))
WITH DISTINCT [n IN nodes(p) | n.id] AS ids, nodes(p) AS ns
ORDER BY ids
LIMIT $limit
RETURN ids, [n IN ns | {id: n.id, label: [l IN labels(n) WHERE l <> 'Entity'][0], props: properties(n)}] AS nodes
"""

WAYS_4: Final[LiteralString] = """
MATCH (s:Entity {id: $source}), (t:Entity {id: $target})
MATCH p = (s)-[*4]-(t)
WHERE all(i IN range(1, length(p)) WHERE NOT nodes(p)[i] IN nodes(p)[..i])
  AND ($as_of IS NULL
       OR (all(n IN nodes(p) WHERE coalesce(n.valid_from, $as_of) <= $as_of AND coalesce(n.valid_to, $as_of) >= $as_of)
           AND all(r IN relationships(p) WHERE coalesce(r.valid_from, $as_of) <= $as_of
                                           AND coalesce(r.valid_to, $as_of) >= $as_of)))
WITH DISTINCT [n IN nodes(p) | n.id] AS ids, nodes(p) AS ns
ORDER BY ids
LIMIT $limit
RETURN ids, [n IN ns | {id: n.id, label: [l IN labels(n) WHERE l <> 'Entity'][0], props: properties(n)}] AS nodes
"""

WAYS_5: Final[LiteralString] = """
MATCH (s:Entity {id: $source}), (t:Entity {id: $target})
MATCH p = (s)-[*5]-(t)
WHERE all(i IN range(1, length(p)) WHERE NOT nodes(p)[i] IN nodes(p)[..i])
  AND ($as_of IS NULL
       OR (all(n IN nodes(p) WHERE coalesce(n.valid_from, $as_of) <= $as_of AND coalesce(n.valid_to, $as_of) >= $as_of)
           AND all(r IN relationships(p) WHERE coalesce(r.valid_from, $as_of) <= $as_of
                                           AND coalesce(r.valid_to, $as_of) >= $as_of)))
WITH DISTINCT [n IN nodes(p) | n.id] AS ids, nodes(p) AS ns
ORDER BY ids
LIMIT $limit
RETURN ids, [n IN ns | {id: n.id, label: [l IN labels(n) WHERE l <> 'Entity'][0], props: properties(n)}] AS nodes
"""

WAYS_6: Final[LiteralString] = """
MATCH (s:Entity {id: $source}), (t:Entity {id: $target})
MATCH p = (s)-[*6]-(t)
WHERE all(i IN range(1, length(p)) WHERE NOT nodes(p)[i] IN nodes(p)[..i])
  AND ($as_of IS NULL
       OR (all(n IN nodes(p) WHERE coalesce(n.valid_from, $as_of) <= $as_of AND coalesce(n.valid_to, $as_of) >= $as_of)
           AND all(r IN relationships(p) WHERE coalesce(r.valid_from, $as_of) <= $as_of
                                           AND coalesce(r.valid_to, $as_of) >= $as_of)))
WITH DISTINCT [n IN nodes(p) | n.id] AS ids, nodes(p) AS ns
ORDER BY ids
LIMIT $limit
RETURN ids, [n IN ns | {id: n.id, label: [l IN labels(n) WHERE l <> 'Entity'][0], props: properties(n)}] AS nodes
"""

# As PATHS, through nodes and relationships that may all have existed on $as_of.
PATHS_AS_OF: Final[LiteralString] = """
MATCH (s:Entity {id: $source}), (t:Entity {id: $target})
MATCH p = allShortestPaths((s)-[*..6]-(t))
WHERE all(n IN nodes(p) WHERE coalesce(n.valid_from, $as_of) <= $as_of AND coalesce(n.valid_to, $as_of) >= $as_of)
  AND all(r IN relationships(p) WHERE coalesce(r.valid_from, $as_of) <= $as_of
                                  AND coalesce(r.valid_to, $as_of) >= $as_of)
WITH p WHERE length(p) <= $max_hops
WITH [n IN nodes(p) | n.id] AS ids, nodes(p) AS ns, relationships(p) AS rs
WITH ids, head(collect(ns)) AS ns, collect(rs) AS paths
ORDER BY ids
LIMIT $limit
RETURN ids, [n IN ns | {id: n.id, label: [l IN labels(n) WHERE l <> 'Entity'][0], props: properties(n)}] AS nodes,
       [r IN reduce(all = [], rs IN paths | all + rs) |
        {source: startNode(r).id, type: type(r), target: endNode(r).id, props: properties(r)}] AS joins
"""

# Every relationship joining the two nodes of each pair in $pairs, in either direction (as of $as_of: those
# that may have existed then).
JOINS: Final[LiteralString] = """
UNWIND $pairs AS pair
MATCH (a:Entity {id: pair[0]})-[r]-(b:Entity {id: pair[1]})
WHERE $as_of IS NULL OR (coalesce(r.valid_from, $as_of) <= $as_of AND coalesce(r.valid_to, $as_of) >= $as_of)
RETURN DISTINCT startNode(r).id AS source, type(r) AS type, endNode(r).id AS target, properties(r) AS props
"""

# One breadth-first layer of a neighbourhood, cut in the database: the first ``$room`` nodes next to ``$ids`` (not in
# ``$seen``, of ``$labels`` or any) in the order of ``base.node_sort_key``, so a hub's neighbours are not all
# returned to keep ``max_nodes`` of them (``$room`` is one more than the view has room for: it tells a cut).
NEIGHBOURS_FIRST: Final[LiteralString] = """
UNWIND $ids AS id
MATCH (:Entity {id: id})--(m:Entity)
WHERE NOT m.id IN $seen AND ($labels IS NULL OR any(l IN labels(m) WHERE l IN $labels))
WITH DISTINCT m
WITH m, [l IN labels(m) WHERE l <> 'Entity'][0] AS label
ORDER BY label, m.number IS NULL, coalesce(m.number, 0), m.id
LIMIT $room
RETURN m.id AS id, label, properties(m) AS props
"""

# The headline read from what the load derived (bpkg.app.store.neo4j.derive; bpkg.app.store.headline), in one
# round trip: the dataset as DATASET reads it (its fingerprint is the version the derivation was stamped with),
# the action point's summary for that version (``ap-N`` first, else the action point numbered $number; of the
# layout $layout), and one page of its rows: its own (HeadlineRow) and its goal's (HeadlineGoalRow, kept once per
# goal; the store adds the action point's UNDER step, ``under``). Rows are kept by (owner, hash of their content);
# an order names them, ``part_size`` row hashes to an order node (HeadlineOrder, HeadlineGoalOrder, by (owner,
# hash of the order, part)): a row's ``rank`` is its place in the order. Each page entry is {zjson, goal} (the
# row's response as compressed JSON). HEADLINE_BY_RANK pages the action point's rows, then (with $goal_level) the
# goal's: the order nodes that hold $offset to $end, and one unique-index seek per row of the page.
# HEADLINE_BY_POS mixes both in page order: the first $end rows of each side in its own order (their ``key``
# orders one side's against the other's, then the direct side first), merged, $offset to $end kept: never more
# than $end rows of a side, and a seek per row of the page only (the order nodes hold each row's key).
# HEADLINE_FILTERED reads the action point's order and its goal's whole (each order node holds, beside each row's
# hash, what the filters and counts read), keeps the rows the filters pass (a goal row's confidence is the
# weakest of its own and the UNDER step's), counts them, and seeks the rows of the page only. Each order node's
# lists are read once and indexed per row (an access per row and list took about 5 ms more of 60 for the busiest
# action point at 1M relationships).
# While a load is under way (or after one stopped half-way) the rows read are those of the version published
# before it (``serving``). No summary (an old database, a first load under way, another layout): ``summary`` is
# null and the page empty.
HEADLINE_BY_RANK: Final[LiteralString] = """
MATCH (d:Dataset)
WITH d ORDER BY coalesce(d.seq, 0) DESC, d.loaded_at DESC, d.name
WITH collect(d) AS loaded
WHERE loaded <> []
OPTIONAL MATCH (l:LoadLease {name: 'graph'})
WITH loaded, loaded[0] AS d, any(x IN loaded WHERE x.fingerprint IS NULL) AS loading, coalesce(l.seq, 0) AS seq,
     l.published AS published
WITH d, loading, CASE WHEN loading THEN null
                      WHEN size(loaded) = 1 AND coalesce(d.seq, 0) = seq AND coalesce(d.kept, '{}') = '{}'
                      THEN d.fingerprint
                      ELSE d.fingerprint + ':' + toString(seq) END AS fingerprint,
     CASE WHEN loading THEN published END AS serving
OPTIONAL MATCH (s:Headline {version: coalesce(fingerprint, serving), number: $number}) WHERE s.layout = $layout
WITH d, loading, fingerprint, serving, s ORDER BY s.action_point = $id DESC, s.action_point LIMIT 1
CALL (s) {
  MATCH (o:HeadlineOrder)
  WHERE o.action_point = s.action_point AND o.hash = s.hash
    AND o.part >= $offset / s.part_size AND o.part <= ($end - 1) / s.part_size
  UNWIND range(0, size(o.rows) - 1) AS i
  WITH o.part * s.part_size + i AS rank, o.rows[i] AS row
  WHERE rank >= $offset AND rank < $end
  MATCH (r:HeadlineRow {action_point: s.action_point, row: row})
  WITH r, rank ORDER BY rank
  RETURN collect({zjson: r.zjson, goal: false}) AS own
}
CALL (s) {
  MATCH (o:HeadlineGoalOrder)
  WHERE $goal_level AND o.goal = s.goal_group AND o.hash = s.goal_hash
    AND o.part >= ($offset - s.direct) / s.part_size AND o.part <= ($end - s.direct - 1) / s.part_size
  UNWIND range(0, size(o.rows) - 1) AS i
  WITH o.part * s.part_size + i AS rank, o.rows[i] AS row
  WHERE rank >= $offset - s.direct AND rank < $end - s.direct
  MATCH (r:HeadlineGoalRow {goal: s.goal_group, row: row})
  WITH r, rank ORDER BY rank
  RETURN collect({zjson: r.zjson, goal: true}) AS upward
}
RETURN d.name AS name, d.version AS version, d.description AS description, d.illustrative AS illustrative,
       d.loaded_at AS loaded_at, d.loading IS NOT NULL AS loading, fingerprint, serving, s.summary AS summary,
       s.under AS under, own + upward AS page
"""
HEADLINE_BY_POS: Final[LiteralString] = """
MATCH (d:Dataset)
WITH d ORDER BY coalesce(d.seq, 0) DESC, d.loaded_at DESC, d.name
WITH collect(d) AS loaded
WHERE loaded <> []
OPTIONAL MATCH (l:LoadLease {name: 'graph'})
WITH loaded, loaded[0] AS d, any(x IN loaded WHERE x.fingerprint IS NULL) AS loading, coalesce(l.seq, 0) AS seq,
     l.published AS published
WITH d, loading, CASE WHEN loading THEN null
                      WHEN size(loaded) = 1 AND coalesce(d.seq, 0) = seq AND coalesce(d.kept, '{}') = '{}'
                      THEN d.fingerprint
                      ELSE d.fingerprint + ':' + toString(seq) END AS fingerprint,
     CASE WHEN loading THEN published END AS serving
OPTIONAL MATCH (s:Headline {version: coalesce(fingerprint, serving), number: $number}) WHERE s.layout = $layout
WITH d, loading, fingerprint, serving, s ORDER BY s.action_point = $id DESC, s.action_point LIMIT 1
CALL (s) {
  CALL (s) {
    MATCH (o:HeadlineOrder)
    WHERE o.action_point = s.action_point AND o.hash = s.hash AND o.part >= 0 AND o.part <= ($end - 1) / s.part_size
    UNWIND range(0, size(o.rows) - 1) AS i
    WITH o.part * s.part_size + i AS rank, o.rows[i] AS row, o.keys[i] AS key
    WHERE rank < $end
    RETURN row, key, false AS goal, rank
    UNION ALL
    MATCH (o:HeadlineGoalOrder)
    WHERE o.goal = s.goal_group AND o.hash = s.goal_hash AND o.part >= 0 AND o.part <= ($end - 1) / s.part_size
    UNWIND range(0, size(o.rows) - 1) AS i
    WITH o.part * s.part_size + i AS rank, o.rows[i] AS row, o.keys[i] AS key
    WHERE rank < $end
    RETURN row, key, true AS goal, rank
  }
  WITH row, goal ORDER BY key, goal, rank SKIP $offset LIMIT $limit
  OPTIONAL MATCH (r:HeadlineRow {action_point: s.action_point, row: row}) WHERE NOT goal
  OPTIONAL MATCH (g:HeadlineGoalRow {goal: s.goal_group, row: row}) WHERE goal
  RETURN collect({zjson: coalesce(r.zjson, g.zjson), goal: goal}) AS page
}
RETURN d.name AS name, d.version AS version, d.description AS description, d.illustrative AS illustrative,
       d.loaded_at AS loaded_at, d.loading IS NOT NULL AS loading, fingerprint, serving, s.summary AS summary,
       s.under AS under, page
"""
HEADLINE_FILTERED: Final[LiteralString] = """
MATCH (d:Dataset)
WITH d ORDER BY coalesce(d.seq, 0) DESC, d.loaded_at DESC, d.name
WITH collect(d) AS loaded
WHERE loaded <> []
OPTIONAL MATCH (l:LoadLease {name: 'graph'})
WITH loaded, loaded[0] AS d, any(x IN loaded WHERE x.fingerprint IS NULL) AS loading, coalesce(l.seq, 0) AS seq,
     l.published AS published
WITH d, loading, CASE WHEN loading THEN null
                      WHEN size(loaded) = 1 AND coalesce(d.seq, 0) = seq AND coalesce(d.kept, '{}') = '{}'
                      THEN d.fingerprint
                      ELSE d.fingerprint + ':' + toString(seq) END AS fingerprint,
     CASE WHEN loading THEN published END AS serving
OPTIONAL MATCH (s:Headline {version: coalesce(fingerprint, serving), number: $number}) WHERE s.layout = $layout
WITH d, loading, fingerprint, serving, s ORDER BY s.action_point = $id DESC, s.action_point LIMIT 1
CALL (s) {
  CALL (s) {
    MATCH (o:HeadlineOrder)
    WHERE o.action_point = s.action_point AND o.hash = s.hash AND o.part >= 0
    WITH s, o.part AS part, o.rows AS rows, o.confidences AS confidences, o.strengths AS strengths,
         o.countries AS countries, o.components AS components, o.keys AS keys, o.projects AS projects,
         o.slot_components AS slots, o.activities AS activities
    UNWIND range(0, size(rows) - 1) AS i
    RETURN part * s.part_size + i AS rank, rows[i] AS row, false AS goal, confidences[i] AS confidence,
           strengths[i] AS strength, countries[i] AS countries, components[i] AS components, keys[i] AS key,
           projects[i] AS projects, slots[i] AS slot_components, activities[i] AS activity
    UNION ALL
    MATCH (o:HeadlineGoalOrder)
    WHERE $goal_level AND o.goal = s.goal_group AND o.hash = s.goal_hash AND o.part >= 0
    WITH s, o.part AS part, o.rows AS rows, o.confidences AS confidences, o.strengths AS strengths,
         o.countries AS countries, o.components AS components, o.keys AS keys, o.projects AS projects,
         o.slot_components AS slots, o.activities AS activities
    UNWIND range(0, size(rows) - 1) AS i
    WITH s, part, rows, strengths, countries, components, keys, projects, slots, activities, i,
         [x IN [confidences[i], s.under_confidence] WHERE x IS NOT NULL |
          [CASE x WHEN 'confirmed' THEN 0 WHEN 'inferred' THEN 1 WHEN 'illustrative' THEN 2 ELSE 3 END, x]] AS levels
    RETURN part * s.part_size + i AS rank, rows[i] AS row, true AS goal,
           reduce(w = levels[0], x IN levels[1..] | CASE WHEN x[0] > w[0] THEN x ELSE w END)[1] AS confidence,
           strengths[i] AS strength, countries[i] AS countries, components[i] AS components, keys[i] AS key,
           projects[i] AS projects, slots[i] AS slot_components, activities[i] AS activity
  }
  WITH rank, row, goal, confidence, key, projects, slot_components, activity
  WHERE ($country IS NULL OR (' ' + countries + ' ') CONTAINS (' ' + $country + ' '))
    AND ($component IS NULL OR (' ' + components + ' ') CONTAINS (' ' + $component + ' '))
    AND ($confidence = [] OR confidence IN $confidence) AND ($strength = [] OR strength IN $strength)
  WITH row, goal, confidence, projects, slot_components, activity
  ORDER BY CASE WHEN $mixed THEN key ELSE '' END, goal, rank
  RETURN collect({row: row, goal: goal, confidence: confidence, projects: projects, slot_components: slot_components,
                  activity: activity}) AS kept
}
CALL (kept) {
  UNWIND kept AS k UNWIND split(k.projects, ' ') AS p WITH p WHERE p <> '' RETURN count(DISTINCT p) AS projects
}
CALL (kept) {
  UNWIND kept AS k UNWIND split(k.slot_components, ' ') AS c WITH c WHERE c <> ''
  RETURN count(DISTINCT c) AS components
}
CALL (kept) {
  UNWIND kept AS k WITH k WHERE k.activity <> '' RETURN count(DISTINCT k.activity) AS activities
}
CALL (s, kept) {
  UNWIND kept[$offset..$end] AS k
  OPTIONAL MATCH (r:HeadlineRow {action_point: s.action_point, row: k.row}) WHERE NOT k.goal
  OPTIONAL MATCH (g:HeadlineGoalRow {goal: s.goal_group, row: k.row}) WHERE k.goal
  RETURN collect({zjson: coalesce(r.zjson, g.zjson), goal: k.goal}) AS page
}
RETURN d.name AS name, d.version AS version, d.description AS description, d.illustrative AS illustrative,
       d.loaded_at AS loaded_at, d.loading IS NOT NULL AS loading, fingerprint, serving, s.summary AS summary,
       s.under AS under, page, size(kept) AS total, projects, components, activities,
       any(k IN kept WHERE k.confidence = 'illustrative') AS illustrative_link
"""

# An answer kept when its dataset version was loaded (``bpkg.app.store.neo4j.keep``), read by version and key.
KEPT_ANSWER: Final[LiteralString] = """
MATCH (k:KeptAnswer {version: $version, key: $key})
RETURN k.part AS part, k.parts AS parts, k.data AS data
"""
