"""Response models of the services: what the API returns, whichever backend answers."""

from __future__ import annotations

from typing import Any, Final, Literal

from pydantic import BaseModel, Field, computed_field

from bpkg.app.store.graph_types import DatasetOut, GraphOut, LinkOut, NodeRef
from bpkg.app.store.question_types import PathOut, SearchHit, Step

Status = Literal["direct", "goal_only", "gap"]
"""How an action point is responded to: ``direct`` when at least one activity, component, project or output
responds to it (RESPONDS_TO the action point); ``goal_only`` when none does but something responds to the
priority goal it sits under; ``gap`` when neither."""
STATUS_WORDS: dict[str, str] = {
    "direct": "responded to directly",
    "goal_only": "only through its goal",
    "gap": "gap",
}


class StatusFields(BaseModel):
    """An action point's status, in words, and what it rests on."""

    status: Status
    status_words: str = Field(description="the status as people say it: " + ", ".join(STATUS_WORDS.values()))
    status_confidence: str | None = Field(
        description="what the status rests on: the most certain of the responses that give it, each as sure as "
        "the weakest link on its path (illustrative < inferred < confirmed); null for a gap"
    )


AS_OF_RULE = (
    "As of a day (as_of=YYYY, YYYY-MM or YYYY-MM-DD, read as the last day it names), an answer holds only what "
    "may have existed on that day: a period (start/end) from its start to its end, a single date from then on, "
    "an undated node or link always. What may have existed is counted: a start or end whose precision leaves "
    "the day open (2019 for 30 June 2019) and an approximate date (2024~, read as 2024) are counted, and the "
    "answer says how many of its items rest on them and on no date at all. Coverage, gaps and the matrix are "
    "about the action points of the action plan(s) in force on the day (or of the plan asked for)."
)


class AsOfOut(BaseModel):
    """How an answer as of a day was made: the day, what it counts and what the count rests on."""

    date: str = Field(description="the day answered as of (ISO)")
    given: str = Field(description="the day as asked (2020 is read as 2020-12-31)")
    items: str = Field(description="what is counted: responses, or the nodes and links of a graph")
    counted: int = Field(description="items counted: they may have existed on the day")
    undated: int = Field(description="of those, items with no date at all (counted as if always there)")
    imprecise: int = Field(description="of those, items whose start or end is too coarse to tell (counted)")
    approximate: int = Field(description="of those, items counted on an approximate or uncertain date")
    left_out: int = Field(description="items of the answer without a day that did not exist on it")
    plans: list[NodeRef] = Field(
        default_factory=list, description="coverage, gaps, matrix: the action plan(s) whose action points count"
    )
    sentence: str = Field(description="all of the above in plain words")
    rule: str = AS_OF_RULE


def _as_of_field() -> Any:
    return Field(
        default=None,
        exclude_if=lambda v: v is None,
        description="only with as_of: the day answered as of and what the answer's count rests on",
    )


EVERY_DATE: Final = "every date: work that has ended and work not begun yet are counted (give as_of to count a day)"


class Counted(BaseModel):
    """An answer that counts: says which dates it counts (every date, or the day of its ``as_of``)."""

    @computed_field(  # type: ignore[prop-decorator]
        description="which dates the answer counts: every date without as_of, else the day (its account is as_of)"
    )
    @property
    def dates(self) -> str:
        told = getattr(self, "as_of", None)
        return f"as of {told.date}: only what may have existed then" if isinstance(told, AsOfOut) else EVERY_DATE


class HealthOut(BaseModel):
    """Without an API key where keys are configured, only ``status`` and ``reachable``."""

    status: Literal["ok", "unavailable"]
    reachable: bool
    backend: str | None = None
    message: str | None = None
    dataset: DatasetOut | None = None
    """The dataset loaded last."""
    datasets: list[DatasetOut] | None = None
    """Every dataset the graph holds, by name."""
    started_at: str | None = None


class LinkPage(BaseModel):
    items: list[LinkOut]
    total: int
    limit: int
    offset: int
    illustrative: str | None = None


class GraphViewOut(GraphOut):
    """Nodes and edges, with the dataset's notice when some edge is illustrative."""

    illustrative: str | None = None
    as_of: AsOfOut | None = _as_of_field()
    to_review: list[str] = Field(
        default_factory=list,
        description="each edge that is to review, in words: 'A -[TYPE]-> B: the page of ... was found changed on "
        "DAY', a page it cites having been found changed or gone by the last source check; empty: none",
    )


class PathsOut(BaseModel):
    source: NodeRef
    target: NodeRef
    max_hops: int
    paths: list[PathOut]
    every: bool = Field(
        default=False,
        description="true: every simple path of at most max_hops steps, shortest first, paged by offset and limit; "
        "false: only the shortest paths",
    )
    offset: int = 0
    more: bool = Field(default=False, description="every=true: more paths follow this page (ask with a later offset)")
    shortest: int | None = Field(default=None, description="the number of steps of the shortest path; null: none")
    illustrative: str | None = None
    as_of: AsOfOut | None = _as_of_field()


class SearchOut(BaseModel):
    q: str
    hits: list[SearchHit]


# -- action points and their responses -----------------------------------------------------------


class ActionPointSummary(StatusFields):
    action_point: NodeRef
    number: int
    goal: NodeRef | None = Field(description="its priority goal; confidence is that of the assignment")
    responses: int = Field(description="direct responses (activities, components, projects, outputs)")
    goal_responses: int = Field(default=0, description="responses to its priority goal")


class ActionPointPage(Counted):
    items: list[ActionPointSummary]
    total: int
    limit: int
    offset: int
    illustrative: str | None = None
    as_of: AsOfOut | None = _as_of_field()


class ActionPointOut(ActionPointSummary):
    text: str | None = Field(description="official wording; null while no source provides it")
    text_status: str | None = None
    properties: dict[str, object]
    illustrative: str | None = None


class ResponseLink(BaseModel):
    """One traceability link from a responder to the action point (or, at goal level, to its goal)."""

    level: Literal["action_point", "goal"]
    responder: NodeRef
    target: NodeRef
    strength: str
    confidence: str = Field(description="the weakest confidence on the path (what the answer rests on)")
    link_confidence: str = Field(description="the confidence of the RESPONDS_TO link alone")
    sources: list[str]
    note: str | None = None
    countries: list[NodeRef]
    path: list[Step] = Field(
        description="every relationship the answer rests on: the responder's component and project, the link, "
        "and at goal level the action point's placement under the goal"
    )


class ActivityGroup(BaseModel):
    activity: NodeRef = Field(description="the responding activity (or output)")
    responses: list[ResponseLink]


class ComponentGroup(BaseModel):
    component: NodeRef | None = Field(description="null for responders outside any component")
    responses: list[ResponseLink] = Field(description="links made by the component itself")
    activities: list[ActivityGroup]


class ProjectGroup(BaseModel):
    project: NodeRef | None = Field(description="null for responders outside any project")
    responses: list[ResponseLink] = Field(description="links made by the project itself")
    components: list[ComponentGroup]


class ResponseFilters(BaseModel):
    country: NodeRef | None = None
    component: NodeRef | None = None
    confidence: list[str] = Field(default_factory=list)
    strength: list[str] = Field(default_factory=list)
    include_goal_level: bool = False


class ResponseCounts(BaseModel):
    links: int
    projects: int
    components: int
    activities: int


class ResponsesOut(Counted, StatusFields):
    """Who responds to an action point, grouped project -> component -> activity (status before filters)."""

    action_point: NodeRef
    number: int
    goal: NodeRef | None
    filters: ResponseFilters
    counts: ResponseCounts = Field(description="the whole filtered answer, every page together")
    total: int = Field(description="links in the whole filtered answer (counts.links)")
    limit: int | None = Field(description="page size: links grouped in this page (null: all of them)")
    offset: int = Field(description="links of the whole answer before this page")
    projects: list[ProjectGroup] = Field(description="this page's links, grouped")
    illustrative: str | None = Field(
        default=None, description="the dataset's notice, when some link here is illustrative"
    )
    as_of: AsOfOut | None = _as_of_field()


# -- coverage and gaps --------------------------------------------------------------------------


class ActionPointStatus(StatusFields):
    action_point: NodeRef
    number: int
    goal: NodeRef | None
    responses: int
    goal_responses: int = Field(description="responses to its priority goal")
    strengths: dict[str, int] = Field(description="direct responses per strength")
    confidence: dict[str, int] = Field(description="direct responses per confidence level")


class CoverageCounts(BaseModel):
    action_points: int
    covered: int = Field(description="action points responded to directly")
    uncovered: int = Field(description="action points not responded to directly (only through their goal, or gaps)")
    share_covered: float = Field(description="covered / action_points, 0 when there are none")
    goal_only: int | None = Field(default=None, description="of the uncovered: responded to only through their goal")
    gap: int | None = Field(default=None, description="of the uncovered: not responded to at all")
    confidence: str | None = Field(
        default=None, description="what the covered count rests on: the weakest of the covered action points' status"
    )


class GoalMatchOut(BaseModel):
    """A priority goal that closely matches a GCM objective, and how sure the match is."""

    goal: NodeRef
    confidence: str
    sources: list[str]


class ObjectiveOut(BaseModel):
    """A GCM objective (a concept of the shipped scheme, not a node of the graph)."""

    number: int
    notation: str
    name: str
    uri: str | None


class CoverageRow(CoverageCounts):
    node: NodeRef | None = Field(
        description="the goal, component, project or country; null for action points without a goal and for "
        "by=gcm (the objective is in objective)"
    )
    responses: int = Field(description="direct response links counted in this row")
    covered_numbers: list[int]
    uncovered_numbers: list[int] | None = Field(
        description="the row's action points not responded to directly; null for by=component|project|country, "
        "whose rows count every action point: those not in covered_numbers (action_points lists them all). Listed "
        "per row, they made the answer grow with rows times action points (about 600 MB by component at 1 million "
        "relationships)"
    )
    objective: ObjectiveOut | None = Field(default=None, description="by=gcm only: the GCM objective of the row")
    goals: list[GoalMatchOut] | None = Field(
        default=None,
        description="by=gcm only: the priority goals that closely match the objective, each with the match's "
        "confidence and sources; the row counts the action points under them",
    )
    note: str | None = Field(default=None, description="by=gcm only: why a row counts nothing")


class CommitmentRow(CoverageCounts):
    node: NodeRef
    declarations: list[NodeRef]
    plans: list[NodeRef]
    goals: list[NodeRef]
    covered_numbers: list[int]
    uncovered_numbers: list[int]


COMMITMENT_RULE = (
    "A commitment covers the action points contained in the action plans launched by the declaration(s) "
    "that make the commitment (Declaration -MAKES-> Commitment, Declaration -LAUNCHES-> ActionPlan "
    "-CONTAINS-> ActionPoint); its goals are the priority goals those plans set. The data links action "
    "points to commitments only through their declaration, so commitments made by the same declaration "
    "share the same action points."
)
STATUS_RULE = (
    "An action point is 'responded to directly' (status direct, counted as covered) when at least one "
    "activity, component, project or output responds to it (RESPONDS_TO the action point), whatever the "
    "link's strength; 'only through its goal' (goal_only) when none does but something responds to its "
    "priority goal; otherwise a 'gap'. goal_only and gap count as uncovered. Every status says what it rests "
    "on (status_confidence): an answer is as sure as the weakest link on its path."
)


class CoverageOut(Counted):
    by: Literal["goal", "component", "project", "country", "gcm"]
    summary: CoverageCounts
    rows: list[CoverageRow] = Field(
        description="by=goal: the action points under each goal; by=component|project|country: every action point, "
        "'covered' counting those the component or project (or their activities) or work in the country responds to; "
        "by=gcm: per GCM objective, the action points under the goals that closely match it"
    )
    commitments: list[CommitmentRow]
    commitment_rule: str = COMMITMENT_RULE
    status_rule: str = STATUS_RULE
    action_points: list[ActionPointStatus]
    illustrative: str | None = None
    as_of: AsOfOut | None = _as_of_field()


class GapsOut(Counted):
    summary: CoverageCounts
    gaps: list[ActionPointStatus] = Field(
        description="the action points not responded to directly, by number: gaps, and those responded to only "
        "through their goal (status says which; goal_responses how many respond to the goal instead)"
    )
    goals: list[CoverageRow]
    commitments: list[CommitmentRow]
    commitment_rule: str = COMMITMENT_RULE
    status_rule: str = STATUS_RULE
    illustrative: str | None = None
    as_of: AsOfOut | None = _as_of_field()


# -- matrix ---------------------------------------------------------------------------------------

MatrixCols = Literal["component", "country", "project", "goal", "gcm"]


class MatrixCell(BaseModel):
    text: str = Field(description="what a spreadsheet shows: strongest strength (and link count), or the status")
    links: int
    strength: str | None = None
    confidence: str | None = Field(default=None, description="the least certain confidence among the links")
    to_review: list[str] = Field(
        default_factory=list,
        description="why the cell is to review, in words: a page cited by a link it rests on (or a step of the "
        "link's path) was found changed or gone by the last source check (bpkg sources check --write); empty: "
        "nothing to review",
    )


class MatrixRow(StatusFields):
    action_point: NodeRef
    number: int
    goal: NodeRef | None
    cells: list[MatrixCell | None] = Field(description="one per column, in column order; null when empty")
    outside: MatrixCell | None = Field(
        default=None,
        description="cols=component only: the direct responses made by work that belongs to none of the components "
        "(a project without components, its activities)",
    )
    outside_by: list[NodeRef] = Field(default=[], description="who made the responses counted in outside")


class MatrixOut(Counted):
    rows_are: Literal["action_point"] = "action_point"
    cols_are: MatrixCols
    columns: list[NodeRef]
    outside: str | None = Field(
        default=None, description="cols=component only: the heading of the column of responses outside every component"
    )
    rows: list[MatrixRow]
    total: int = Field(default=0, description="how many rows the whole matrix has (one per action point)")
    offset: int = Field(default=0, description="the place of the first row given in the whole matrix")
    limit: int | None = Field(default=None, description="the page size asked (limit=), or null when every row is given")
    legend: str
    illustrative: str | None = None
    as_of: AsOfOut | None = _as_of_field()


# -- countries ------------------------------------------------------------------------------------


class CountryRole(BaseModel):
    process: NodeRef
    role: str | None
    confidence: str
    sources: list[str]


class CountryActionPoint(BaseModel):
    action_point: NodeRef
    number: int
    goal: NodeRef | None
    responders: list[NodeRef]
    strength: str = Field(description="strongest strength among the responses located in the country")
    confidence: str = Field(description="least certain confidence among those responses")


class CountryOut(Counted):
    country: NodeRef
    aliases: list[str] = Field(default=[], description="other names of the country (exonyms, former names)")
    iso3: str | None
    groups: list[str]
    roles: list[CountryRole] = Field(description="role in the process (PARTICIPATES_IN)")
    regions: list[NodeRef]
    declarations_adopted: list[NodeRef]
    activities: list[NodeRef] = Field(description="activities carried out in the country")
    components: list[NodeRef] = Field(description="components active there or holding activities there")
    projects: list[NodeRef] = Field(description="projects active there or holding components or activities there")
    events: list[NodeRef] = Field(description="events hosted in the country")
    action_points: list[CountryActionPoint] = Field(description="action points addressed by work in the country")
    illustrative: str | None = None
    as_of: AsOfOut | None = _as_of_field()
