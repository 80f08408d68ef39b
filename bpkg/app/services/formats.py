"""The graph (from the store, or from a dataset's files) in the linked-data and IATI formats, as streams."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Final, Literal

from bpkg.app.formats import iati, rdf
from bpkg.app.services.graph_files import export_graph
from bpkg.app.settings import Settings
from bpkg.app.store.port import GraphStore
from bpkg.loaders import GraphBatch
from bpkg.loaders.formats.vocab import base_of

FormatName = Literal["jsonld", "ttl", "iati"]
MEDIA_TYPES: Final[dict[str, str]] = {**rdf.MEDIA_TYPES, "iati": "application/xml"}
Parts = tuple[list[rdf.GraphNode], list[rdf.GraphLink]]


def store_parts(store: GraphStore) -> Parts:
    """The whole graph the store holds (bounded by ``exports.MAX_EXPORT_NODES``: exports stay bounded)."""
    return rdf.from_networkx(export_graph(store, None, 0))


def batch_parts(batch: GraphBatch) -> Parts:
    """The graph of a validated dataset, without a store."""
    nodes = [rdf.GraphNode(n.label.value, n.props) for n in batch.nodes]
    links = [rdf.GraphLink(r.type.value, r.source, r.target, r.props) for r in batch.rels]
    return nodes, links


def export(parts: Parts, fmt: FormatName, settings: Settings) -> Iterator[bytes]:
    """The file's bytes, a piece at a time (URIs on ``BPKG_PUBLIC_URL``; IATI as ``BPKG_IATI_*`` say)."""
    nodes, links = parts
    public_url = settings.public_url
    if fmt == "iati":
        org = (settings.iati_org_type, settings.iati_org_name)
        return iati.write(nodes, links, settings.iati_prefix, base_of(public_url), *org)
    base = base_of(public_url)
    return rdf.serialise(itertools.chain(rdf.blocks(nodes, links, base), rdf.crosswalk_blocks(nodes, base)), fmt)
