"""The store's side of answers as of a date: which nodes and links count on a day (``bpkg.graph_schema.asof``'s rule).

Both adapters keep to the rule natively -- memory filters its networkx views and indexes with
``Alive``, Neo4j tests the ``valid_from``/``valid_to`` properties the load wrote, in the Cypher itself -- and
the shared answer builders (``responses``) read their material through ``alive_adjacency`` so a link counts
only when it and both its ends may have existed on the day ("links whose responders existed").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from bpkg.app.store.graph_types import EdgeData, NodeData
from bpkg.graph_schema.asof import AsOf, Basis, basis, may_exist


class Adjacency(Protocol):
    """The links and nodes an answer is built from, looked up by node and type (what ``responses`` builds on)."""

    def out_of(self, node_id: str, rel_type: str) -> Sequence[EdgeData]: ...

    def into(self, node_id: str, rel_type: str) -> Sequence[EdgeData]: ...

    def get(self, node_id: str) -> NodeData | None: ...


_WORSE = {Basis.DATED: 0, Basis.APPROXIMATE: 1, Basis.IMPRECISE: 2}


def combined(bases: Iterable[Basis | None]) -> Basis:
    """What an answer built on several facts rests on: undated only when none of them is dated, else the least
    sure of the dated ones (an imprecise bound before an approximate date before a precise one)."""
    dated = [b for b in bases if b is not None and b != Basis.UNDATED]
    if not dated:
        return Basis.UNDATED
    return max(dated, key=lambda b: _WORSE[b])


def response_basis(link: Mapping[str, Any], responder: Mapping[str, Any], as_of: AsOf) -> str:
    """What a response counted on the day rests on: its link's and its responder's dates together."""
    return combined((basis(link, as_of), basis(responder, as_of))).value


@dataclass(frozen=True)
class AliveAdjacency:
    """An ``Adjacency`` showing only the links that may have existed on the day, between nodes that may have."""

    graph: Adjacency
    as_of: AsOf

    def _keep(self, edges: Sequence[EdgeData]) -> Sequence[EdgeData]:
        return [e for e in edges if self.edge(e)]

    def edge(self, e: EdgeData) -> bool:
        return may_exist(e.props, self.as_of) and self._node_alive(e.source) and self._node_alive(e.target)

    def _node_alive(self, node_id: str) -> bool:
        node = self.graph.get(node_id)
        return node is None or may_exist(node.props, self.as_of)

    def out_of(self, node_id: str, rel_type: str) -> Sequence[EdgeData]:
        return self._keep(self.graph.out_of(node_id, rel_type))

    def into(self, node_id: str, rel_type: str) -> Sequence[EdgeData]:
        return self._keep(self.graph.into(node_id, rel_type))

    def get(self, node_id: str) -> NodeData | None:
        return self.graph.get(node_id)


def alive_adjacency(graph: Adjacency, as_of: AsOf | None) -> Adjacency:
    """``graph`` itself without a day; only what may have existed on ``as_of`` with one."""
    return graph if as_of is None else AliveAdjacency(graph, as_of)


def gone_note(node: NodeData, as_of: AsOf) -> str:
    """What a trace or paths answer says when its start did not exist on the day."""
    when = node.props.get("when")
    return f"{node.name} did not exist on {as_of.iso} (its dates: {when}); nothing is traced from it as of then."
