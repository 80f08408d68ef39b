"""What the API's routes share about answers as of a date: the plan parameter and the downloads' wording."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from app.services.models import AsOfOut

PlanQuery = Annotated[
    str | None,
    Query(
        max_length=120,
        description="only the action points of this action plan (id); without it, as of a day, those of the "
        "plan(s) in force then, and otherwise all of them",
        examples=["plan-call-for-action-2019"],
    ),
]


def file_name(name: str, as_of: AsOfOut | None) -> str:
    """A download's name, saying the day it is as of."""
    return f"{name}-as-of-{as_of.date}" if as_of is not None else name


def legend(text: str, as_of: AsOfOut | None) -> str:
    """A download's legend, beginning with the day it is as of and what its count rests on."""
    if as_of is None:
        return text
    return f"As of {as_of.date} (asked: {as_of.given}). {as_of.sentence} {as_of.rule}" + (f" {text}" if text else "")
