"""Dates as data in dataset files: impossible, reversed and contradicting dates are problems with file, row/line
and field; plan rows carry ``reviewed``; suspect links are warnings (errors with ``--strict``); SUCCEEDS links
plans; the bundled dataset's dates are machine-readable and its wording is kept."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from bpkg.app.cli import main
from bpkg.graph_schema import Label, RelType, parse_when
from bpkg.loaders import DatasetInvalid, GraphBatch, load_dataset
from bpkg.loaders.dataset import check_dataset
from bpkg.loaders.validation.review import suspect_links
from tests.factories import COUNTRY_COLUMNS, COUNTRY_ROWS, PLAN_ROWS, SRC, base_graph, write_csv, write_dataset
from tools.dates import start_of, when_of
from tools.tables import BuildError


def problems_of(folder: Path) -> list[str]:
    with pytest.raises(DatasetInvalid) as info:
        load_dataset(folder)
    return [str(p) for p in info.value.problems]


def graph_with(node_id: str, **props: Any) -> dict[str, Any]:
    graph = base_graph()
    for node in graph["nodes"]:
        if node["id"] == node_id:
            node.update(props)
    return graph


def line_of(folder: Path, node_id: str) -> int:
    lines = (folder / "reference.yaml").read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.strip().endswith(f"id: {node_id}"))


def test_dates_are_kept_as_written(tmp_path: Path) -> None:
    graph = graph_with("event-e", when="2019-02-19/2019-02-20", date="19-20 February 2019")
    batch = load_dataset(write_dataset(tmp_path, graph=graph))
    event = next(n for n in batch.nodes if n.id == "event-e")
    assert event.props["when"] == "2019-02-19/2019-02-20" and event.props["date"] == "19-20 February 2019"


@pytest.mark.parametrize(
    ("when", "says"),
    [
        ("2019-02-30", "2019-02 has no day 30"),
        ("2020/2019", "the period ends before it starts"),
        ("early 2019", "is not a date"),
    ],
)
def test_an_impossible_or_reversed_date_names_file_line_and_field(tmp_path: Path, when: str, says: str) -> None:
    folder = write_dataset(tmp_path, graph=graph_with("event-e", when=when))
    found = problems_of(folder)
    assert len(found) == 1, found
    assert found[0].startswith(f"reference.yaml, line {line_of(folder, 'event-e')}, field 'when': ")
    assert says in found[0]


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("start", "2015-10", "when: 2015-10/.."),
        ("end", "2017", "when: 2015-10/2017"),
        ("years", "2019-2024", "when: 2019/2024"),
        ("year", 2019, "when: 2019"),
        ("year_start", 2019, "when: 2019/2024"),
        ("year_end", 2024, "when: 2019/2024"),
    ],
)
def test_a_date_besides_when_is_refused_with_how_to_convert_it(
    tmp_path: Path, field: str, value: object, says: str
) -> None:
    # One date per fact (issue 20): `when` is the only date of a node; the others are refused, each saying how.
    folder = write_dataset(tmp_path, graph=graph_with("event-e", **{field: value}))
    found = problems_of(folder)
    assert len(found) == 1, found
    assert found[0].startswith(f"reference.yaml, line {line_of(folder, 'event-e')}, field '{field}': one date per fact")
    assert says in found[0]


def test_a_nodes_table_with_a_year_column_is_refused_with_how_to_convert_it(tmp_path: Path) -> None:
    folder = write_dataset(tmp_path)
    rows = [[*row, "2020"] for row in COUNTRY_ROWS]
    write_csv(folder / "countries.csv", [*COUNTRY_COLUMNS, "year"], rows)
    found = problems_of(folder)
    assert any(p.startswith("countries.csv, row 1, field 'year': one date per fact") for p in found), found


def test_a_bad_date_in_a_table_names_its_row(tmp_path: Path) -> None:
    rows = [[*row, ""] for row in COUNTRY_ROWS]
    rows[1][-1] = "2019-13"
    folder = write_dataset(tmp_path)
    write_csv(folder / "countries.csv", [*COUNTRY_COLUMNS, "updated"], rows)
    found = problems_of(folder)
    assert (
        len(found) == 1 and found[0].startswith("countries.csv, row 3, field 'updated': ") and "no month 13" in found[0]
    )


def test_a_link_may_carry_a_date_and_a_bad_one_is_reported(tmp_path: Path) -> None:
    graph = base_graph()
    graph["relationships"][0]["when"] = "2019/.."
    assert load_dataset(write_dataset(tmp_path / "ok", graph=graph)).rels
    graph["relationships"][0]["when"] = "2019-00"
    found = problems_of(write_dataset(tmp_path / "bad", graph=graph))
    assert len(found) == 1 and re.match(r"reference\.yaml, line \d+, field 'when': .*no month 00", found[0]), found


def test_a_plan_row_carries_reviewed_onto_its_links(tmp_path: Path) -> None:
    plan = [{**PLAN_ROWS[0], "reviewed": "2024-05-10"}, *PLAN_ROWS[1:]]
    batch = load_dataset(write_dataset(tmp_path, plan=plan))
    rels = {r.key: r for r in batch.rels}
    assert rels[("activity-a", "RESPONDS_TO", "ap-1")].props["reviewed"] == "2024-05-10"
    assert rels[("ap-1", "UNDER", "pg-1")].props["reviewed"] == "2024-05-10"
    assert "reviewed" not in rels[("component-c", "RESPONDS_TO", "ap-2")].props


def test_a_bad_reviewed_date_names_the_plan_row(tmp_path: Path) -> None:
    plan = [PLAN_ROWS[0], {**PLAN_ROWS[1], "reviewed": "2024-02-30"}, PLAN_ROWS[2]]
    found = problems_of(write_dataset(tmp_path, plan=plan))
    assert found and all(p.startswith("plan.csv, row 3, field 'reviewed': ") for p in found), found
    assert "no day 30" in found[0]
    periods = [PLAN_ROWS[0], {**PLAN_ROWS[1], "reviewed": "2024/2025"}, PLAN_ROWS[2]]
    assert problems_of(write_dataset(tmp_path / "period", plan=periods))[0].startswith(
        "plan.csv, row 3, field 'reviewed'"
    )


def suspect_dataset(folder: Path, updated: str, reviewed: str) -> Path:
    plan = [{**PLAN_ROWS[0], "reviewed": reviewed}, *PLAN_ROWS[1:]]
    return write_dataset(folder, graph=graph_with("activity-a", updated=updated), plan=plan)


def test_a_link_reviewed_before_its_node_changed_is_suspect(tmp_path: Path) -> None:
    checked = check_dataset(suspect_dataset(tmp_path, updated="2024-06-01", reviewed="2024-05-10"))
    assert [(s.rel.key, s.changed) for s in suspect_links(checked.batch)] == [
        (("activity-a", "RESPONDS_TO", "ap-1"), ("activity-a",))
    ]
    assert [str(w) for w in checked.warnings] == [
        "plan.csv, row 2, field 'reviewed': suspect link activity-a -[RESPONDS_TO]-> ap-1: activity-a was updated "
        "2024-06-01, after the link was reviewed (2024-05-10); check it and give the date of that review"
    ]


@pytest.mark.parametrize(
    ("updated", "reviewed", "suspect"),
    [("2024-05-10", "2024-05-10", False), ("2024-04", "2024-05-10", False), ("2024-05-20", "2024-05", True)],
)
def test_suspect_compares_dates_at_their_precision(tmp_path: Path, updated: str, reviewed: str, suspect: bool) -> None:
    checked = check_dataset(suspect_dataset(tmp_path, updated=updated, reviewed=reviewed))
    assert bool(checked.warnings) is suspect


def test_validate_warns_of_suspect_links_and_strict_makes_them_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = suspect_dataset(tmp_path, updated="2024-06-01", reviewed="2024-05-10")
    assert main(["validate", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "Warning: plan.csv, row 2, field 'reviewed': suspect link activity-a -[RESPONDS_TO]-> ap-1" in out
    assert "OK: tiny" in out
    assert main(["validate", str(folder), "--strict"]) == 1
    err = capsys.readouterr().err
    assert "1 problem(s) found" in err and "suspect link activity-a -[RESPONDS_TO]-> ap-1" in err
    assert main(["validate", str(write_dataset(tmp_path / "clean")), "--strict"]) == 0


def with_plan_2025(**link: Any) -> dict[str, Any]:
    graph = base_graph()
    graph["nodes"] += [
        {"id": "plan-y", "label": "ActionPlan", "name": "Plan Y", "when": "2025/2030", **SRC},
        {"id": "ap-y-1", "label": "ActionPoint", "name": "Plan Y action point 1", "number": 1, **SRC},
    ]
    graph["relationships"] += [
        {"from": "plan-y", "type": "CONTAINS", "to": "ap-y-1", **SRC},
        {"from": "plan-y", "type": "SUCCEEDS", "to": "plan-x", "kind": "continues", **SRC},
        {"from": "ap-y-1", "type": "SUCCEEDS", "to": "ap-1", **SRC, **link},
    ]
    return graph


def test_an_action_point_of_a_later_plan_succeeds_one_of_an_earlier(tmp_path: Path) -> None:
    batch = load_dataset(write_dataset(tmp_path, graph=with_plan_2025(kind="merges")))
    succeeds = {r.key: r.props["kind"] for r in batch.rels if r.type is RelType.SUCCEEDS}
    assert succeeds == {("ap-y-1", "SUCCEEDS", "ap-1"): "merges", ("plan-y", "SUCCEEDS", "plan-x"): "continues"}


def test_succeeds_needs_a_known_kind_and_an_allowed_pattern(tmp_path: Path) -> None:
    found = problems_of(write_dataset(tmp_path / "none", graph=with_plan_2025()))
    assert len(found) == 1 and found[0].endswith("field 'kind': required property is missing"), found
    found = problems_of(write_dataset(tmp_path / "bad", graph=with_plan_2025(kind="absorbs")))
    assert len(found) == 1 and "'continues', 'merges' or 'replaces'" in found[0], found
    graph = with_plan_2025(kind="continues")
    graph["relationships"].append({"from": "activity-a", "type": "SUCCEEDS", "to": "ap-1", "kind": "continues", **SRC})
    found = problems_of(write_dataset(tmp_path / "pattern", graph=graph))
    assert len(found) == 1 and "Activity -[SUCCEEDS]-> ActionPoint is not allowed" in found[0], found


# -- the bundled dataset ---------------------------------------------------------------------------------------
# Always dated; other nodes are dated when the facts give a date wording (some activities have none).
DATED: tuple[Label, ...] = (Label.DECLARATION, Label.ACTION_PLAN, Label.EVENT)


def test_every_dated_fact_of_the_bundled_dataset_has_a_machine_readable_date(bundled_batch: GraphBatch) -> None:
    for node in bundled_batch.nodes:
        assert not set(node.props) & {"start", "end", "years", "year", "year_start", "year_end"}, node.id
        wording = [node.props.get(k) for k in ("date", "adopted")]
        if node.label in DATED or any(wording) or "Dates as the sources give them" in node.props.get("description", ""):
            if node.id == "project-sr1":  # "pre-2013 (dates missing)": undated, not guessed
                assert "when" not in node.props and "pre-2013 (dates missing)" in node.props["description"]
                continue
            assert "when" in node.props, node.id
            parse_when(node.props["when"])


@pytest.mark.parametrize(
    ("node_id", "wording", "when"),
    [
        ("event-mc-6", ("date", "2019-02-19/20"), "2019-02-19/2019-02-20"),
        ("event-som-2021-online", ("date", "early 2021 (inferred)"), "2021%"),
        ("event-som-antalya", ("date", "15 December (year 2016 or 2017 ambiguous)"), "[2016-12-15,2017-12-15]"),
        # the wording of a project's or component's dates stays in its description
        ("project-bridging", ("description", "Dates as the sources give them: 2013-05 to 2014."), "2013-05/2014"),
        ("project-cair", ("description", "Dates as the sources give them: c.2021-2022."), "2021~/2022~"),
        ("activity-mrc-lahore", ("description", "opened 2015-10"), "2015-10/.."),
        # one-off: a hand-over, a training, a call that closed (issue 20): closed dates, not open-ended
        ("activity-migrap-ttc-equipment-bgd", ("note", "the date (about late 2020) is inferred"), "2020%"),
        ("activity-bridging-pilot-training-afg", ("name", "(December 2013)"), "2013-12"),
        ("activity-facility-call-for-proposals", ("description", "launched April 2018 and open"), "2018-04/2020-06"),
        ("decl-istanbul-commitments-2019", ("adopted", "2019-02-20"), "2019-02-20"),
    ],
)
def test_bundled_dates_keep_their_wording_and_add_no_precision(
    bundled_batch: GraphBatch, node_id: str, wording: tuple[str, str], when: str
) -> None:
    node = next(n for n in bundled_batch.nodes if n.id == node_id)
    assert wording[1] in node.props[wording[0]]
    assert node.props["when"] == when


def test_the_bundled_dataset_invents_no_succession_and_leaves_no_link_suspect(bundled_batch: GraphBatch) -> None:
    # The action points of the Call for Action 2025-2030 are not public: no SUCCEEDS between action points.
    assert not [r for r in bundled_batch.rels if r.type is RelType.SUCCEEDS and r.source.startswith("ap-")]
    assert sum(n.label is Label.ACTION_POINT for n in bundled_batch.nodes) == 41
    assert not suspect_links(bundled_batch)


@pytest.mark.parametrize(
    ("wording", "when"),
    [
        ("2019-02-19/20", "2019-02-19/2019-02-20"),
        ("2014-02 to 2017-07 (one ICMPD page: 2017-01)", "2014-02/2017-07"),
        ("2021-2022", "2021/2022"),
        ("c.2020 (inferred)", "2020%"),
        ("2017-", "2017/.."),
        ("launched 2023-09", "2023-09/.."),
    ],
)
def test_the_builder_reads_regular_wordings_by_rule(wording: str, when: str) -> None:
    assert when_of(wording, {}) == when


def test_the_builder_refuses_a_wording_it_cannot_read() -> None:
    with pytest.raises(BuildError, match=r"add a row to tools/dataset/dates\.csv"):
        when_of("around Easter 2019", {})
    with pytest.raises(BuildError, match="not valid"):
        when_of("around Easter 2019", {"around Easter 2019": "2019-04-31"})
    assert when_of("pre-2013 (dates missing)", {"pre-2013 (dates missing)": ""}) is None
    assert start_of("2015-10", {}) == "2015-10/.." and start_of("2017-", {}) == "2017/.."
