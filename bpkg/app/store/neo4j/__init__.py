"""The Neo4j read adapter: Cypher constants (``queries``) and the store over them (``store``)."""

from bpkg.app.store.neo4j.store import Neo4jStore

__all__ = ["Neo4jStore"]
