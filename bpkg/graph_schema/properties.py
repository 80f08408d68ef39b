"""Pydantic models of node and relationship properties, one per label / type.

Every node and every relationship carries provenance: ``sources`` (ids of ``Source`` nodes, at least
one) and ``confidence``. Unknown properties are rejected so that a typo in a column name is an error,
not a silently dropped fact.
"""

from __future__ import annotations

from typing import Annotated, Any, Final, Literal, Self

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, model_validator

from bpkg.graph_schema.dates import parse_date, parse_when
from bpkg.graph_schema.enums import Confidence, Label, RelType, Role, Strength, SuccessionKind

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
# A date or a period in the notation of bpkg.graph_schema.dates ("2019-02-19/2019-02-20", "2021~", "2017/.."),
# kept as written; the validator refuses impossible and reversed ones.
WhenText = Annotated[str, BeforeValidator(_as_text), _DateChars, AfterValidator(_checked_when)]
# One date (no period): "2024-05-10", "2024-05", "2024".
DateText = Annotated[str, BeforeValidator(_as_text), _DateChars, AfterValidator(_checked_date)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Provenance(_Strict):
    """Where a fact comes from and how sure we are of it. ``locators``: where on a cited page the fact stands, one
    ``"<source id>: <where>"`` per source that has one (a section, heading, list item or the date of a news item,
    in the product's own words, never a copied passage); the page's ``read_on`` date is on its Source node."""

    sources: Annotated[tuple[NodeId, ...], Field(min_length=1)]
    confidence: Confidence
    note: Text | None = None
    locators: tuple[Text, ...] = ()

    @model_validator(mode="after")
    def _locators_name_cited_sources(self) -> Self:
        for locator in self.locators:
            source, sep, where = locator.partition(": ")
            if not sep or not where.strip():
                raise ValueError(f"a locator is written '<source id>: <where on the page>' (got {locator!r})")
            if source not in self.sources:
                raise ValueError(f"the locator {locator!r} names {source!r}, which the fact does not cite")
        return self


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


class ActionPlanProps(NodeProps):
    code: Text | None = None


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


class ComponentProps(NodeProps):
    code: Text | None = None


class ActivityProps(NodeProps):
    kind: Text | None = None
    city: Text | None = None


class OutputProps(NodeProps):
    kind: Text | None = None


class CountryProps(NodeProps):
    iso3: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
    groups: tuple[Text, ...] = ()


class RegionProps(NodeProps):
    kind: Text | None = None


class EventProps(NodeProps):
    kind: Text
    date: Text | None = None
    place: Text | None = None


SourceKind = Literal["official page", "news", "third party", "document"]
# What ``bpkg sources check --write`` last found of a cited page (bpkg/app/sources.py); "changed" and "gone" put the
# facts resting on the page up for review.
CheckStatus = Literal["unchanged", "changed", "gone", "unreachable", "never checked", "no saved copy", "fingerprinted"]
CHECK_TO_REVIEW: Final = frozenset({"changed", "gone"})


class SourceProps(NodeProps):
    """A cited page or document. ``kind``: how much weight it bears (the process's or an institution's own page,
    a news item, a third party's page, a document that is not a web page); ``read_on``: when the page was last
    read to check the facts resting on it."""

    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$", max_length=2000)] | None = None
    citation: Text | None = None
    kind: SourceKind | None = None
    read_on: DateText | None = None
    # sha256 of the page's text when its facts were checked (bpkg/app/sources.py); left out: never checked that way
    fingerprint: Annotated[str, StringConstraints(pattern=r"^sha256:[0-9a-f]{64}$")] | None = None
    # The last check's result, read from the dataset's source-checks.csv (docs/dataset-format.md), whose fingerprint
    # column, when given, is the fingerprint above
    checked_on: DateText | None = None
    check_status: CheckStatus | None = None
    moved_to: Annotated[str, StringConstraints(pattern=r"^https?://\S+$", max_length=2000)] | None = None


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
_YEARS_OF_WHEN: Final = {"established": "start"}

# One date per fact (issue 20): `when` is the only date of a node or link. The date properties it replaced are
# refused, each with how to convert it; readers derive a year or a start from `when` where they need one.
RETIRED_DATES: Final[dict[str, str]] = {
    "start": "one date per fact: give the start as the first side of 'when' (start 2015-10 -> when: 2015-10/..; "
    "with end 2017 -> when: 2015-10/2017)",
    "end": "one date per fact: give the end as the second side of 'when' (start 2015-10, end 2017 -> "
    "when: 2015-10/2017; no known start -> when: ../2017)",
    "years": "one date per fact: give the period in 'when' (years 2019-2024 -> when: 2019/2024) and keep a source's "
    "own wording of it in 'note'",
    "year": "one date per fact: give the year in 'when' (year 2019 -> when: 2019; an activity that runs on -> "
    "when: 2019/..)",
    "year_start": "one date per fact: give the period in 'when' (year_start 2019, year_end 2024 -> when: 2019/2024)",
    "year_end": "one date per fact: give the period in 'when' (year_start 2019, year_end 2024 -> when: 2019/2024)",
}


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
