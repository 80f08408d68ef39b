"""What the API's routes share about answers as of a date: the plan parameter (the downloads' wording is in
``bpkg.app.http.files``, shared with the pages)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

PlanQuery = Annotated[
    str | None,
    Query(
        max_length=120,
        description="only the action points of this action plan (id); without it, as of a day, those of the "
        "plan(s) in force then, and otherwise all of them",
        examples=["plan-call-for-action-2019"],
    ),
]
