"""Response models of the services: what the API returns, whichever backend answers."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from app.store.models import DatasetOut, GraphOut, LinkOut, NodeRef
from app.store.results import PathOut, SearchHit, Step

Status = Literal["covered", "uncovered"]
"""OpenFastTrace-like coverage status of an action point: ``covered`` when at least one activity,
component, project or output responds to it directly (goal-level links do not count)."""


class HealthOut(BaseModel):
    status: Literal["ok", "unavailable"]
    backend: str
    reachable: bool
    message: str | None = None
    dataset: DatasetOut | None = None
    started_at: str


class LinkPage(BaseModel):
    items: list[LinkOut]
    total: int
    limit: int
    offset: int
    illustrative: str | None = None


class GraphViewOut(GraphOut):
    """Nodes and edges, with the dataset's notice when some edge is illustrative."""

    illustrative: str | None = None


class PathsOut(BaseModel):
    source: NodeRef
    target: NodeRef
    max_hops: int
    paths: list[PathOut]
    illustrative: str | None = None


class SearchOut(BaseModel):
    q: str
    hits: list[SearchHit]


# -- action points and their responses -----------------------------------------------------------


class ActionPointSummary(BaseModel):
    action_point: NodeRef
    number: int
    goal: NodeRef | None
    responses: int = Field(description="direct responses (activities, components, projects, outputs)")
    status: Status


class ActionPointPage(BaseModel):
    items: list[ActionPointSummary]
    total: int
    limit: int
    offset: int
    illustrative: str | None = None


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
    confidence: str
    sources: list[str]
    note: str | None = None
    countries: list[NodeRef]
    path: list[Step] = Field(description="the relationships that justify the link, responder context first")


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


class ResponsesOut(BaseModel):
    """Who responds to an action point, grouped project -> component -> activity."""

    action_point: NodeRef
    number: int
    goal: NodeRef | None
    status: Status = Field(description="coverage of the action point before filters")
    filters: ResponseFilters
    counts: ResponseCounts
    projects: list[ProjectGroup]
    illustrative: str | None = Field(None, description="the dataset's notice, when some link here is illustrative")


# -- coverage and gaps --------------------------------------------------------------------------


class ActionPointStatus(BaseModel):
    action_point: NodeRef
    number: int
    goal: NodeRef | None
    status: Status
    responses: int
    strengths: dict[str, int] = Field(description="direct responses per strength")
    confidence: dict[str, int] = Field(description="direct responses per confidence level")


class CoverageCounts(BaseModel):
    action_points: int
    covered: int
    uncovered: int
    share_covered: float = Field(description="covered / action_points, 0 when there are none")


class CoverageRow(CoverageCounts):
    node: NodeRef | None = Field(
        description="the goal, component, project or country; null for action points without a goal"
    )
    responses: int = Field(description="direct response links counted in this row")
    covered_numbers: list[int]
    uncovered_numbers: list[int]


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
    "An action point is 'covered' when at least one activity, component, project or output responds to it "
    "directly (RESPONDS_TO the action point), whatever the link's strength or confidence; otherwise it is "
    "'uncovered'. Links to its priority goal do not cover it."
)


class CoverageOut(BaseModel):
    by: Literal["goal", "component", "project", "country"]
    summary: CoverageCounts
    rows: list[CoverageRow] = Field(
        description="by=goal: the action points under each goal; by=component|project|country: every action point, "
        "'covered' counting those the component or project (or their activities) or work in the country responds to"
    )
    commitments: list[CommitmentRow]
    commitment_rule: str = COMMITMENT_RULE
    status_rule: str = STATUS_RULE
    action_points: list[ActionPointStatus]
    illustrative: str | None = None


class GapsOut(BaseModel):
    summary: CoverageCounts
    gaps: list[ActionPointStatus] = Field(description="the uncovered action points, by number")
    goals: list[CoverageRow]
    commitments: list[CommitmentRow]
    commitment_rule: str = COMMITMENT_RULE
    status_rule: str = STATUS_RULE
    illustrative: str | None = None


# -- matrix ---------------------------------------------------------------------------------------

MatrixCols = Literal["component", "country", "project", "goal"]


class MatrixCell(BaseModel):
    text: str = Field(description="what a spreadsheet shows: strongest strength (and link count), or the status")
    links: int
    strength: str | None = None
    confidence: str | None = Field(None, description="the least certain confidence among the links")


class MatrixRow(BaseModel):
    action_point: NodeRef
    number: int
    goal: NodeRef | None
    status: Status
    cells: list[MatrixCell | None] = Field(description="one per column, in column order; null when empty")


class MatrixOut(BaseModel):
    rows_are: Literal["action_point"] = "action_point"
    cols_are: MatrixCols
    columns: list[NodeRef]
    rows: list[MatrixRow]
    legend: str
    illustrative: str | None = None


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


class CountryOut(BaseModel):
    country: NodeRef
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
