"""The curated tables under ``tools/dataset/``, read and validated (a bad table names its file, row and field)."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal, Self, TypeVar

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from bpkg.graph_schema import RETIRED_DATES, RelType, SuccessionKind

TABLES_DIR = Path(__file__).resolve().parent / "dataset"

Confidence = Literal["confirmed", "inferred", "illustrative"]


class BuildError(Exception):
    """The facts, the tables or the build rules are inconsistent; nothing is written."""


def _semicolons(value: Any) -> Any:
    """A CSV cell ``"a;b"`` -> ("a", "b"); YAML lists pass through."""
    return tuple(part for part in value.split(";") if part) if isinstance(value, str) else value


Ids = Annotated[tuple[str, ...], BeforeValidator(_semicolons)]


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


# -- sources.csv, organisations.csv, organisation-names.csv --------------------------------------------------
class SourceRow(Record):
    id: str = Field(pattern=r"^source-[a-z0-9-]+$")
    title: str
    url: str | None = None
    citation: str | None = None
    confidence: Confidence
    kind: Literal["official page", "news", "third party", "document"]
    read_on: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}-\d{2}$")
    tag: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _url_or_citation(self) -> Self:
        if (self.url is None) == (self.citation is None):
            raise ValueError("give either a url or a citation")
        if self.tag and not self.url:
            raise ValueError("a tag names a url")
        return self


class OrganisationRow(Record):
    id: str = Field(pattern=r"^org-[a-z0-9-]+$")
    name: str
    acronym: str | None = None
    kind: str
    sources: Ids = ()


class OrganisationName(Record):
    name: str
    organisation: str | None = None
    relationship: Literal[RelType.FUNDS, RelType.IMPLEMENTS] | None = None
    deduced: bool = False

    @model_validator(mode="after")
    def _complete(self) -> Self:
        if (self.organisation is None) != (self.relationship is None):
            raise ValueError("an organisation needs a relationship, and a relationship an organisation")
        return self


class AliasRow(Record):
    """Other names of one node (aliases.csv)."""

    id: str = Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
    aliases: Ids = Field(min_length=1)


class CentrePartner(Record):
    holder: str
    listed_as: str
    centres: tuple[str, ...] = Field(min_length=1)
    reason: str | None = None


# -- ids.yaml ------------------------------------------------------------------------------------------------
class Named(Record):
    id: str
    name: str


class ProjectIds(Record):
    id: str
    description: str | None = None


class RegionIds(Named):
    kind: str
    description: str


class EventIds(Named):
    discusses_goals_stated: tuple[int, ...] = ()
    discusses_goals_deduced: tuple[int, ...] = ()


class EventKind(Record):
    kind: str
    project_event: bool


class IdTables(Record):
    commitments: dict[int, str]
    components: dict[str, Named]
    projects: dict[str, ProjectIds]
    regions: dict[str, RegionIds]
    events: dict[str, EventIds]
    event_kinds: dict[str, EventKind]
    country_names: dict[str, str]


# -- activities.yaml -----------------------------------------------------------------------------------------
class Activity(Record):
    id: str = Field(pattern=r"^activity-[a-z0-9-]+$")
    name: str
    kind: str
    parent: str
    sources: Ids = Field(min_length=1)
    confidence: Confidence = "confirmed"
    country: str | None = None
    start: str | None = None
    year: int | None = None
    when: str | None = None  # a closed date or period for a one-off activity; left out, from start/year, open-ended
    description: str | None = None
    note: str | None = None


class Output(Record):
    id: str = Field(pattern=r"^output-[a-z0-9-]+$")
    name: str | None = None
    kind: str
    produced_by: str
    sources: Ids = Field(min_length=1)
    confidence: Confidence = "confirmed"
    year: int | None = None
    description: str | None = None
    note: str | None = None
    facility_output: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _named(self) -> Self:
        if (self.name is None) == (self.facility_output is None):
            raise ValueError("give either a name or a facility_output")
        return self


class Informs(Record):
    from_: str = Field(alias="from")
    to: str
    sources: Ids = Field(min_length=1)
    confidence: Confidence
    note: str


class ActivityTables(Record):
    activities: tuple[Activity, ...]
    outputs: tuple[Output, ...]
    informs: tuple[Informs, ...]


# -- documents.yaml --------------------------------------------------------------------------------------------
class DocumentNode(Record):
    id: str
    record: str
    name: str | None = None
    cite: tuple[str, ...] = ()
    description: str
    note: str | None = None


class PlanNode(DocumentNode):
    year_start: int
    year_end: int
    starts: Literal["adopted", "endorsed"] | None = None


class ProcessNode(Record):
    id: str
    name: str
    acronym: str
    cite: tuple[str, ...] = Field(min_length=1)
    description: str


class DocumentTables(Record):
    process: ProcessNode
    declarations: tuple[DocumentNode, ...]
    plans: tuple[PlanNode, ...]


# -- links.yaml ----------------------------------------------------------------------------------------------
class TableLink(Record):
    from_: str = Field(alias="from")
    type: RelType
    to: str
    sources: tuple[str, ...] = Field(min_length=1)
    confidence: Confidence | None = None
    kind: SuccessionKind | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _said(self) -> Self:
        if self.confidence is None and not any(ref.startswith("facts:") for ref in self.sources):
            raise ValueError("give a confidence, or cite a facts record (facts:<id>) whose confidence it takes")
        if self.confidence == "inferred" and not self.note:
            raise ValueError("an inferred link says why in its note")
        if (self.kind is None) != (self.type is not RelType.SUCCEEDS):
            raise ValueError("a SUCCEEDS link, and only it, needs a kind")
        return self


class TableLinks(Record):
    """Links per builder section, added at the end of that section."""

    documents: tuple[TableLink, ...] = ()
    mrcs: tuple[TableLink, ...] = ()


# -- corrections.yaml ----------------------------------------------------------------------------------------
class Correction(Record):
    """One audited fact set right: the node (``node``) or relationship (``from``/``type``/``to``) the builder made
    from the facts, what an audit against the cited pages found (``finding``), and what changes: its confidence,
    its sources (``sources`` replaces, ``add_sources`` adds), its note, properties (``set``); ``remove`` drops a
    relationship no source states; ``add`` makes a relationship the facts lack (it needs sources and a confidence)."""

    finding: str = Field(min_length=10)
    node: str | None = None
    from_: str | None = Field(default=None, alias="from")
    type: RelType | None = None
    to: str | None = None
    add: bool = False
    remove: bool = False
    confidence: Confidence | None = None
    sources: tuple[str, ...] = ()
    add_sources: tuple[str, ...] = ()
    note: str | None = None
    set: dict[str, Any] = Field(default_factory=dict)
    # where on each cited page the fact stands (source id, facts tag or URL -> our own words)
    locators: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _one_fact(self) -> Self:
        rel = (self.from_, self.type, self.to)
        if (self.node is None) == all(part is None for part in rel) or (self.node is None and None in rel):
            raise ValueError("name either a node, or a relationship's from, type and to")
        if self.node is not None and (self.add or self.remove):
            raise ValueError("add and remove are for relationships")
        if self.add and (not self.sources or self.confidence is None):
            raise ValueError("a relationship the facts lack needs its sources and a confidence")
        if self.remove and (self.add or self.sources or self.add_sources or self.confidence or self.set):
            raise ValueError("a removed relationship changes nothing else")
        if self.confidence == "inferred" and not self.note:
            raise ValueError("an inferred fact says why in its note")
        if self.node is not None and self.set.keys() & {"id", "label", "sources", "confidence", "note"}:
            raise ValueError("set changes properties; sources, confidence and note have their own fields")
        retired = sorted(self.set.keys() & RETIRED_DATES.keys())
        if retired:
            raise ValueError(f"{', '.join(retired)}: {RETIRED_DATES[retired[0]]}")
        return self


# -- plan-goals.csv, plan-links.csv, plan-readme.csv ---------------------------------------------------------
class PlanGoal(Record):
    goal: int = Field(ge=1, le=6)
    first_action_point: int = Field(ge=1)
    last_action_point: int = Field(ge=1)


class PlanLink(Record):
    action_point: int = Field(ge=1, le=41)
    activity: str = ""
    component: str = ""
    project: str = ""
    countries: str = ""
    strength: Literal["direct", "partial", "indirect"]
    why: str = ""

    @model_validator(mode="after")
    def _responder(self) -> Self:
        if not (self.activity or self.component or self.project):
            raise ValueError("a link needs an activity, a component or a project")
        return self


class ReadmeRow(Record):
    column: str = ""
    required: str = ""
    meaning: str = ""
    example: str = ""


# -- dates.csv -------------------------------------------------------------------------------------------------
class DateWording(Record):
    wording: str
    when: str | None = None
    why: str


# -- dataset.yaml --------------------------------------------------------------------------------------------
class SamplePlanNotes(Record):
    source: str
    row_note: str
    goal_note: str
    gap_note: str


class DatasetSettings(Record):
    name: str
    version: str
    description: str
    illustrative: str
    secondary_only: tuple[str, ...] = ()
    xlsx_time: datetime
    seed_file: str
    seed_source: str
    iso_source: str
    sample_plan: SamplePlanNotes


# -- wording.yaml ----------------------------------------------------------------------------------------------
class ProcessWording(Record):
    secretariat: str
    secretariat_note: str


class RegionWording(Record):
    id: str
    name: str
    kind: str
    description: str
    member_note: str


class CountryWording(Record):
    attended_2013_note: str
    signatories_2013: dict[str, str]
    declaration_2013: str
    chair_note: str
    co_chair_source: str
    co_chair_note: str
    member_note: str
    member_note_inferred: str
    member_note_secondary_only: str
    eu_region: RegionWording


class CommitmentWording(Record):
    declaration: str
    description: str


class GoalWording(Record):
    plan: str
    description: str
    gcm_note: str


class ActionPointWording(Record):
    plan: str
    name: str
    text_status: str
    note: str
    contains_note: str


class ProjectWording(Record):
    regional_note: str
    partner_note: str


class ComponentWording(Record):
    project_code: str
    project: str
    lead_countries: dict[str, str]
    lead_note: str
    focus_groups: tuple[str, ...]
    focus_note: str
    donor_phases: dict[str, str]


class CentreWording(Record):
    component: str
    country_note: str
    late_note: str
    first_centres_code: str
    first_centres_project: str
    first_centres_note: str
    partner_note: str


class EventWording(Record):
    project_event_note: str


class GoalLinkWording(Record):
    stated_note: str
    deduced_note: str
    level_note: str


class OrganisationWording(Record):
    government_name: str
    with_article: tuple[str, ...]
    government_kind: str
    government_description: str


class Wording(Record):
    """The builder's fixed ids, names, notes and per-fact decisions, by builder section (wording.yaml)."""

    process: ProcessWording
    countries: CountryWording
    commitments: CommitmentWording
    priority_goals: GoalWording
    action_points: ActionPointWording
    projects: ProjectWording
    components: ComponentWording
    mrcs: CentreWording
    events: EventWording
    priority_goal_links: GoalLinkWording
    organisations: OrganisationWording


# -- reading ---------------------------------------------------------------------------------------------------
M = TypeVar("M", bound=BaseModel)


def _problem(where: str, exc: ValidationError) -> BuildError:
    lines = []
    for err in exc.errors():
        field = ".".join(str(part) for part in err["loc"])
        lines.append(f"{where}, field {field or '(row)'}: {err['msg']}" + (f" (got {err['input']!r})" if field else ""))
    return BuildError("\n".join(lines))


def read_csv(path: Path, model: type[M]) -> tuple[M, ...]:
    """Rows of a CSV table (``#`` comment lines first, then a header naming exactly the model's fields);
    an empty cell is a missing value."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    skipped = 0
    while skipped < len(lines) and lines[skipped].startswith("#"):
        skipped += 1
    reader = csv.reader(lines[skipped:])
    header = next(reader, [])
    columns = [info.alias or name for name, info in model.model_fields.items()]
    if header != columns:
        raise BuildError(f"{path}: line {skipped + 1}: the columns are {header}; expected {columns}")
    rows: list[M] = []
    for cells in reader:
        where = f"{path}: row at line {skipped + reader.line_num}"
        if len(cells) != len(columns):
            raise BuildError(f"{where}: {len(cells)} cells; expected {len(columns)}")
        try:
            rows.append(model.model_validate({k: v for k, v in zip(columns, cells, strict=True) if v != ""}))
        except ValidationError as exc:
            raise _problem(where, exc) from None
    return tuple(rows)


class _StrictLoader(yaml.SafeLoader):
    """YAML that rejects a key given twice in one mapping (the plain loader keeps the last silently)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"key {key} given twice", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _load_yaml(path: Path) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_StrictLoader)  # noqa: S506 (a SafeLoader)
    except yaml.YAMLError as exc:
        raise BuildError(f"{path}: not valid YAML: {exc}") from None


def read_yaml(path: Path, model: type[M]) -> M:
    """A YAML file as one validated record; errors name the file and the path of the bad field."""
    try:
        return model.model_validate(_load_yaml(path))
    except ValidationError as exc:
        raise _problem(str(path), exc) from None


def read_yaml_list(path: Path, model: type[M]) -> tuple[M, ...]:
    """A YAML file holding a list of records; errors name the file, the entry and the field."""
    items = _load_yaml(path)
    if not isinstance(items, list):
        raise BuildError(f"{path}: expected a list of entries")
    out: list[M] = []
    for number, item in enumerate(items, start=1):
        try:
            out.append(model.model_validate(item))
        except ValidationError as exc:
            raise _problem(f"{path}: entry {number}", exc) from None
    return tuple(out)


class Tables(Record):
    """Every curated table, checked against each other."""

    settings: DatasetSettings
    sources: tuple[SourceRow, ...]
    organisations: tuple[OrganisationRow, ...]
    organisation_names: tuple[OrganisationName, ...]
    centre_partners: tuple[CentrePartner, ...]
    aliases: tuple[AliasRow, ...]
    ids: IdTables
    activities: ActivityTables
    plan_goals: tuple[PlanGoal, ...]
    plan_links: tuple[PlanLink, ...]
    plan_readme: tuple[ReadmeRow, ...]
    dates: tuple[DateWording, ...]
    links: TableLinks
    documents: DocumentTables
    wording: Wording
    corrections: tuple[Correction, ...] = ()


def _unique(path: Path, what: str, keys: list[str]) -> None:
    doubles = sorted({key for key in keys if keys.count(key) > 1})
    if doubles:
        raise BuildError(f"{path}: {what} listed more than once: {', '.join(doubles)}")


def read_tables(folder: Path = TABLES_DIR) -> Tables:
    """Read every table under ``folder`` and check them against each other."""
    t = Tables(
        settings=read_yaml(folder / "dataset.yaml", DatasetSettings),
        sources=read_csv(folder / "sources.csv", SourceRow),
        organisations=read_csv(folder / "organisations.csv", OrganisationRow),
        organisation_names=read_csv(folder / "organisation-names.csv", OrganisationName),
        centre_partners=read_yaml_list(folder / "centre-partners.yaml", CentrePartner),
        aliases=read_csv(folder / "aliases.csv", AliasRow),
        ids=read_yaml(folder / "ids.yaml", IdTables),
        activities=read_yaml(folder / "activities.yaml", ActivityTables),
        plan_goals=read_csv(folder / "plan-goals.csv", PlanGoal),
        plan_links=read_csv(folder / "plan-links.csv", PlanLink),
        plan_readme=read_csv(folder / "plan-readme.csv", ReadmeRow),
        dates=read_csv(folder / "dates.csv", DateWording),
        links=read_yaml(folder / "links.yaml", TableLinks),
        documents=read_yaml(folder / "documents.yaml", DocumentTables),
        wording=read_yaml(folder / "wording.yaml", Wording),
        corrections=read_yaml_list(folder / "corrections.yaml", Correction),
    )
    sources = folder / "sources.csv"
    _unique(sources, "id", [s.id for s in t.sources])
    _unique(sources, "url", [s.url for s in t.sources if s.url])
    _unique(sources, "tag", [s.tag for s in t.sources if s.tag])
    citations = {s.id for s in t.sources if s.citation}
    for ident in (t.settings.seed_source, t.settings.iso_source, t.settings.sample_plan.source):
        if ident not in citations:
            raise BuildError(f"{folder / 'dataset.yaml'}: {ident} is not a source with a citation in {sources}")
    orgs = folder / "organisations.csv"
    _unique(orgs, "id", [o.id for o in t.organisations])
    names = folder / "organisation-names.csv"
    _unique(names, "name", [n.name for n in t.organisation_names])
    known = {o.id for o in t.organisations}
    for n in t.organisation_names:
        if n.organisation and n.organisation not in known and not n.organisation.startswith("org-gov-"):
            raise BuildError(f"{names}: {n.name!r}: {n.organisation} is neither in {orgs} nor an org-gov-<iso3>")
    _unique(folder / "aliases.csv", "id", [a.id for a in t.aliases])
    centres = folder / "centre-partners.yaml"
    _unique(centres, "holder and listed_as", [f"{c.holder} {c.listed_as}" for c in t.centre_partners])
    items = t.activities
    _unique(folder / "activities.yaml", "id", [a.id for a in items.activities] + [o.id for o in items.outputs])
    _unique(folder / "dates.csv", "wording", [d.wording for d in t.dates])
    goals = folder / "plan-goals.csv"
    _unique(goals, "goal", [str(g.goal) for g in t.plan_goals])
    numbers = sorted(n for g in t.plan_goals for n in range(g.first_action_point, g.last_action_point + 1))
    if numbers != list(range(1, 42)):
        raise BuildError(f"{goals}: the ranges must place each of the action points 1..41 under one goal")
    return t
