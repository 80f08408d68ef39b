"""Pydantic models of node and relationship properties, one per label / type.

Every node and every relationship carries provenance: ``sources`` (ids of ``Source`` nodes, at least
one) and ``confidence``. Unknown properties are rejected so that a typo in a column name is an error,
not a silently dropped fact.
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from graph_schema.dates import parse_date, parse_when
from graph_schema.enums import Confidence, Label, RelType, Role, Strength, SuccessionKind

ID_PATTERN: Final = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"

NodeId = Annotated[str, StringConstraints(pattern=ID_PATTERN, min_length=1, max_length=120)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
Year = Annotated[int, Field(ge=1900, le=2100)]


def _as_text(value: Any) -> Any:
    """A year read as a number (``when: 2019`` in YAML, a number cell) is the text of the date."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _checked_when(text: str) -> str:
    parse_when(text)  # a DateError (a ValueError) becomes the field's problem
    return text


def _checked_date(text: str) -> str:
    parse_date(text)
    return text


_DateChars = StringConstraints(strip_whitespace=True, min_length=1, max_length=100)
# A date or a period in the notation of graph_schema.dates ("2019-02-19/2019-02-20", "2021~", "2017/.."),
# kept as written; the validator refuses impossible and reversed ones.
WhenText = Annotated[str, BeforeValidator(_as_text), _DateChars, AfterValidator(_checked_when)]
# One date (no period): "2024-05-10", "2024-05", "2024".
DateText = Annotated[str, BeforeValidator(_as_text), _DateChars, AfterValidator(_checked_date)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Provenance(_Strict):
    """Where a fact comes from and how sure we are of it."""

    sources: Annotated[tuple[NodeId, ...], Field(min_length=1)]
    confidence: Confidence
    note: Text | None = None


class NodeProps(Provenance):
    """Properties every node has. ``when``: the date or period of the fact (an event's days, a project's run, an
    activity's start and end, a declaration's adoption); the human wording stays in the label's own fields.
    ``updated``: the date the node last changed in substance (what makes links reviewed before it suspect)."""

    id: NodeId
    name: Text
    # Other names people use for the node: exonyms ("Turkey"), abbreviations ("EU"), former names, local
    # spellings. Searched like the name and shown with it; never the name a page writes for the node.
    aliases: tuple[Text, ...] = ()
    description: Text | None = None
    when: WhenText | None = None
    updated: DateText | None = None


class ProcessProps(NodeProps):
    acronym: Text | None = None
    established: Year | None = None


class OrganisationProps(NodeProps):
    acronym: Text | None = None
    kind: Text | None = None


class DeclarationProps(NodeProps):
    code: Text | None = None
    adopted: Text | None = None
    year: Year


class ActionPlanProps(NodeProps):
    code: Text | None = None
    year_start: Year
    year_end: Year | None = None


class CommitmentProps(NodeProps):
    number: Annotated[int, Field(ge=1, le=99)]
    name_fact_sheet: Text | None = None
    name_bp_website: Text | None = None


class PriorityGoalProps(NodeProps):
    number: Annotated[int, Field(ge=1, le=99)]
    order_2013: Annotated[int, Field(ge=1, le=99)] | None = None
    short_label: Text | None = None
    gcm_objectives: tuple[Annotated[int, Field(ge=1, le=23)], ...] = ()


class ActionPointProps(NodeProps):
    number: Annotated[int, Field(ge=1, le=999)]
    # The official wording is not available to us; it stays null until a source provides it.
    text: Text | None = None
    text_status: Text | None = None


class ProjectProps(NodeProps):
    code: Text | None = None
    start: Text | None = None
    end: Text | None = None
    years: Text | None = None


class ComponentProps(NodeProps):
    code: Text | None = None
    years: Text | None = None


class ActivityProps(NodeProps):
    kind: Text | None = None
    city: Text | None = None
    start: Text | None = None
    year: Year | None = None


class OutputProps(NodeProps):
    kind: Text | None = None
    year: Year | None = None


class CountryProps(NodeProps):
    iso3: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
    groups: tuple[Text, ...] = ()


class RegionProps(NodeProps):
    kind: Text | None = None


class EventProps(NodeProps):
    kind: Text
    date: Text | None = None
    year: Year | None = None
    place: Text | None = None


class SourceProps(NodeProps):
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$", max_length=2000)] | None = None
    citation: Text | None = None


NODE_MODELS: Final[dict[Label, type[NodeProps]]] = {
    Label.PROCESS: ProcessProps,
    Label.ORGANISATION: OrganisationProps,
    Label.DECLARATION: DeclarationProps,
    Label.ACTION_PLAN: ActionPlanProps,
    Label.COMMITMENT: CommitmentProps,
    Label.PRIORITY_GOAL: PriorityGoalProps,
    Label.ACTION_POINT: ActionPointProps,
    Label.PROJECT: ProjectProps,
    Label.COMPONENT: ComponentProps,
    Label.ACTIVITY: ActivityProps,
    Label.OUTPUT: OutputProps,
    Label.COUNTRY: CountryProps,
    Label.REGION: RegionProps,
    Label.EVENT: EventProps,
    Label.SOURCE: SourceProps,
}


class RelProps(Provenance):
    """Properties every relationship has. ``when``: the date or period the link holds, where known;
    ``reviewed``: the date someone last checked it (a plan row's ``reviewed``)."""

    when: WhenText | None = None
    reviewed: DateText | None = None


class RespondsToProps(RelProps):
    strength: Strength
    # Countries (node ids) where this response is carried out, when narrower than the responder's.
    countries: tuple[NodeId, ...] = ()


class ParticipatesInProps(RelProps):
    role: Role


class SucceedsProps(RelProps):
    """An action point (plan) of a later plan takes up one of an earlier plan: it ``continues`` it, ``merges``
    it with others, or ``replaces`` it."""

    kind: SuccessionKind


REL_MODELS: Final[dict[RelType, type[RelProps]]] = {
    **{t: RelProps for t in RelType},
    RelType.RESPONDS_TO: RespondsToProps,
    RelType.PARTICIPATES_IN: ParticipatesInProps,
    RelType.SUCCEEDS: SucceedsProps,
}


def to_properties(model: BaseModel) -> dict[str, Any]:
    """Graph properties of a model: ``None`` dropped, tuples as lists (what Neo4j stores)."""
    out: dict[str, Any] = {}
    for key, value in model.model_dump(mode="json").items():
        if value is None or value == []:
            continue
        out[key] = value
    return out


# Year properties that repeat a side of ``when`` (property -> "start" or "end"): they must agree with it.
_YEARS_OF_WHEN: Final = {"year": "start", "year_start": "start", "established": "start", "year_end": "end"}


def date_conflicts(props: dict[str, Any]) -> list[tuple[str, str]]:
    """(field, reason) for each year property that contradicts the node's ``when`` (valid properties assumed)."""
    text = props.get("when")
    if not isinstance(text, str):
        return []
    when = parse_when(text)
    out: list[tuple[str, str]] = []
    for field, side in _YEARS_OF_WHEN.items():
        year = props.get(field)
        span = when.start if side == "start" else when.end
        if not isinstance(year, int) or span is None:
            continue
        if not span.earliest.year <= year <= span.latest.year:
            shown = (
                str(span.earliest.year)
                if span.earliest.year == span.latest.year
                else (f"{span.earliest.year}-{span.latest.year}")
            )
            out.append((field, f"{year} contradicts when '{text}', whose {side} is in {shown}"))
    return out
