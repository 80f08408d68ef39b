"""Crosswalks as data: the GCM's 23 objectives and the SDG targets as SKOS concept schemes (package data in
``bpkg/loaders/crosswalks``), and the matches from priority goals and commitments to them, each with its sources and
confidence (``skos:closeMatch`` in the RDF export, ``/crosswalk`` in the API)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Final

import yaml
from pydantic import BaseModel, ConfigDict

from bpkg.graph_schema import Confidence, Label

SCHEMES: Final = ("gcm", "sdg")
MATCHED_LABELS: Final = (Label.PRIORITY_GOAL, Label.COMMITMENT)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Concept(_Strict):
    number: int | str
    name: str
    uri: str | None = None


class Scheme(_Strict):
    scheme: str
    name: str
    citation: str
    confidence: Confidence
    match_property: str
    match_sources: tuple[str, ...]
    concepts: tuple[Concept, ...]


@cache
def scheme(name: str) -> Scheme:
    """A shipped concept scheme (``gcm`` or ``sdg``)."""
    if name not in SCHEMES:
        raise KeyError(name)
    text = (resources.files("bpkg.loaders") / "crosswalks" / f"{name}.yaml").read_text(encoding="utf-8")
    return Scheme.model_validate(yaml.safe_load(text))


@dataclass(frozen=True, slots=True)
class Match:
    """``source`` (a goal or commitment id) is a close match of concept ``number`` of ``scheme``."""

    source: str
    scheme: str
    number: int | str
    confidence: str
    sources: tuple[str, ...]


def matches(of: Scheme, nodes: list[tuple[str, dict[str, Any]]]) -> list[Match]:
    """The matches the nodes' properties state (``match_property``), citing the scheme's ``match_sources`` among
    the node's sources; without one of them a match is inferred (and cites the node's sources)."""
    out: list[Match] = []
    if not of.match_property:
        return out
    for ident, props in nodes:
        numbers = props.get(of.match_property) or []
        sources = tuple(props.get("sources") or ())
        stating = tuple(s for s in sources if s in of.match_sources)
        confidence = str(props.get("confidence", Confidence.INFERRED.value)) if stating else Confidence.INFERRED.value
        for number in numbers:
            out.append(Match(ident, of.scheme, number, confidence, stating or sources))
    return sorted(out, key=lambda m: (m.source, order(m.number)))


def order(number: int | str) -> tuple[int, ...]:
    """A sort key that puts 2 before 11 and 10.2 before 10.10."""
    return tuple(int(part) for part in str(number).split(".") if part.isdigit())
