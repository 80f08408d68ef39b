"""RDF export then ``format: rdf`` import gives the same graph: every node, link and property."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bpkg.app.formats import rdf
from bpkg.app.services.formats import batch_parts
from bpkg.loaders import DatasetInvalid, GraphBatch, load_dataset
from bpkg.loaders.formats.vocab import base_of
from bpkg.loaders.synth import write as write_synth


def _canonical(batch: GraphBatch) -> tuple[dict[str, Any], dict[tuple[str, str, str], Any]]:
    """Nodes and links with their properties; list values as sets (RDF keeps no order among repeated values)."""

    def props(values: dict[str, Any]) -> dict[str, Any]:
        return {k: frozenset(v) if isinstance(v, list) else v for k, v in values.items()}

    return (
        {n.id: (n.label, props(n.props)) for n in batch.nodes},
        {r.key: props(r.props) for r in batch.rels},
    )


def _export_as_dataset(batch: GraphBatch, folder: Path, fmt: rdf.RdfFormat, public_url: str = "") -> Path:
    folder.mkdir()
    nodes, links = batch_parts(batch)
    (folder / f"graph.{fmt}").write_bytes(b"".join(rdf.serialise(rdf.blocks(nodes, links, base_of(public_url)), fmt)))
    (folder / "manifest.yaml").write_text(
        f"name: round-trip\nversion: '1'\nfiles:\n  - {{path: graph.{fmt}, format: rdf}}\n", encoding="utf-8"
    )
    return folder


@pytest.mark.parametrize("fmt", ["ttl", "jsonld"])
@pytest.mark.parametrize("public_url", ["", "https://bpkg.example.org/api"])
def test_bundled_dataset_round_trips(bundled_batch: GraphBatch, tmp_path: Path, fmt: str, public_url: str) -> None:
    folder = _export_as_dataset(bundled_batch, tmp_path / "rt", fmt, public_url)  # type: ignore[arg-type]

    back = load_dataset(folder)

    assert len(back.nodes) == len(bundled_batch.nodes) and len(back.rels) == len(bundled_batch.rels)
    assert _canonical(back) == _canonical(bundled_batch)


@pytest.mark.parametrize("fmt", ["ttl", "jsonld"])
def test_synthetic_dataset_round_trips(tmp_path: Path, fmt: str) -> None:
    write_synth(tmp_path / "synth", 3000, seed=7)
    batch = load_dataset(tmp_path / "synth")
    folder = _export_as_dataset(batch, tmp_path / "rt", fmt)  # type: ignore[arg-type]

    assert _canonical(load_dataset(folder)) == _canonical(batch)


def test_a_remote_context_is_refused_not_fetched(tmp_path: Path) -> None:
    folder = tmp_path / "remote"
    folder.mkdir()
    (folder / "graph.jsonld").write_text('{"@context": "http://127.0.0.1:9/ctx.jsonld", "@graph": []}')
    (folder / "manifest.yaml").write_text("name: r\nversion: '1'\nfiles:\n  - {path: graph.jsonld, format: rdf}\n")

    with pytest.raises(DatasetInvalid) as caught:
        load_dataset(folder)

    assert "remote @context" in str(caught.value) and "graph.jsonld" in str(caught.value)


def test_broken_turtle_and_bad_facts_are_reported_with_file_and_resource(
    tmp_path: Path, bundled_batch: GraphBatch
) -> None:
    folder = _export_as_dataset(bundled_batch, tmp_path / "bad", "ttl")
    text = (folder / "graph.ttl").read_text(encoding="utf-8")
    # A second ISO code for Pakistan, and a new region whose confidence is not a level of the vocabulary.
    broken = text + (
        '<urn:bpkg:nodes/country-pak> bpkg:iso3 "PAQ" .\n'
        '<urn:bpkg:nodes/region-new> a bpkg:Region ; dcterms:identifier "region-new" ; rdfs:label "New" ; '
        "prov:wasDerivedFrom <urn:bpkg:nodes/source-sample-plan> ; bpkg:confidence bpkg:certain .\n"
    )
    (folder / "graph.ttl").write_text(broken, encoding="utf-8")

    with pytest.raises(DatasetInvalid) as caught:
        load_dataset(folder)

    message = str(caught.value)
    assert "graph.ttl, resource <urn:bpkg:nodes/country-pak>, field 'iso3': 2 values where one is allowed" in message
    assert "graph.ttl, resource <urn:bpkg:nodes/region-new>, field 'confidence'" in message

    (folder / "graph.ttl").write_text(text + "\n<urn:bpkg:nodes/x> a ", encoding="utf-8")
    with pytest.raises(DatasetInvalid, match=r"graph\.ttl.*not valid turtle"):
        load_dataset(folder)
