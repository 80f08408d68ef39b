"""A model made from trusted values (``bpkg.app.store.trusted``) is the model validation makes from them."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict, Field

from bpkg.app.store import trusted
from bpkg.app.store.graph_types import NodeRef
from bpkg.app.store.question_types import Response, Step


def _ref(node_id: str, label: str = "Activity") -> dict[str, Any]:
    return {"id": node_id, "label": label, "name": f"name of {node_id}", "confidence": "inferred"}


def _step() -> dict[str, Any]:
    return {
        "source": NodeRef(**_ref("act-1")),
        "type": "PART_OF",
        "target": NodeRef(**_ref("comp-1", "Component")),
        "confidence": "confirmed",
        "strength": None,
        "sources": ["src-1"],
    }


def _response() -> dict[str, Any]:
    step = Step(**_step())
    return {
        "level": "goal",
        "target": NodeRef(**_ref("ap-17", "ActionPoint")),
        "responder": NodeRef(**_ref("act-1")),
        "confidence": "inferred",
        "link_confidence": "confirmed",
        "strength": "primary",
        "sources": ["src-1", "src-2"],
        "note": None,
        "components": [NodeRef(**_ref("comp-1", "Component"))],
        "projects": [],
        "countries": [NodeRef(**_ref("pk", "Country"))],
        "path": [step],
        "slots": [("proj-1", "comp-1")],
        "basis": None,
    }


@pytest.mark.parametrize(("model", "values"), [(NodeRef, _ref("act-1")), (Step, _step()), (Response, _response())])
def test_made_is_what_validation_makes(model: type[BaseModel], values: dict[str, Any]) -> None:
    made = trusted.maker(model)(dict(values))
    validated = model.model_validate(values)
    assert type(made) is model
    assert made == validated
    assert made.model_dump_json() == validated.model_dump_json()
    assert made.model_fields_set == set(model.model_fields)
    # Copies and updates behave as on any model (``headline`` and ``goal`` use model_copy).
    assert made.model_copy(update={"confidence": "illustrative"}).model_dump()["confidence"] == "illustrative"
    assert made.model_dump()["confidence"] == values["confidence"]


def test_every_field_is_given_once() -> None:
    make = trusted.maker(NodeRef)
    missing = _ref("act-1")
    del missing["confidence"]
    with pytest.raises(ValueError, match=r"missing \['confidence'\]"):
        make(missing)
    with pytest.raises(ValueError, match=r"unknown \['colour'\]"):
        make({**_ref("act-1"), "colour": "red"})


class _Aliased(BaseModel):
    name: str = Field(alias="title")


class _Extra(BaseModel):
    model_config = ConfigDict(extra="allow")
    name: str


class _PostInit(BaseModel):
    name: str

    def model_post_init(self, context: Any, /) -> None:
        pass


@pytest.mark.parametrize("model", [_Aliased, _Extra, _PostInit])
def test_a_model_that_validation_would_change_is_refused(model: type[BaseModel]) -> None:
    with pytest.raises(TypeError, match=model.__name__):
        trusted.maker(model)
