"""Models made from parts already checked, without validating them again and without ``model_construct``'s
per-field loop.

The derivation makes hundreds of thousands of responses, steps and refs from parts the loader validated and the
builder made (at 100k relationships, 139,332 ``model_construct`` calls took 1.3 s of a 3.7 s derivation: the
loop looks at each field's aliases and defaults on every call). ``maker`` checks once, per model, what that loop
would do differently: no aliases, no post-init, no private attributes, no extra fields kept. Its maker then sets
exactly what ``model_construct`` sets when every field is given: the values as the instance's dict, one shared set
of the fields set, no extra and no private values. Every field must be given (a missing or unknown one is a
``ValueError``, not a half-made model): the made model is equal to the one ``model_validate`` makes from the same
values (``tests/unit/test_trusted.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final, TypeVar

from pydantic import BaseModel

_SET: Final = object.__setattr__
M = TypeVar("M", bound=BaseModel)


def maker(model: type[M]) -> Callable[[dict[str, Any]], M]:
    """A function making a ``model`` from a dict of every one of its fields, already checked; the dict becomes the
    model's own (the caller gives a new one each time and does not change it afterwards)."""
    fields = model.__pydantic_fields__
    refused = [
        name
        for name, field in fields.items()
        if field.alias not in (None, name) or field.validation_alias not in (None, name)
    ]
    if refused or model.__pydantic_post_init__ or model.__private_attributes__ or model.__pydantic_root_model__:
        raise TypeError(f"{model.__name__} cannot be made from trusted values (aliases {refused}, or a post-init)")
    if model.model_config.get("extra") == "allow":
        raise TypeError(f"{model.__name__} keeps extra fields: make it with model_construct")
    names = frozenset(fields)
    fields_set = set(fields)  # shared by every model made: pydantic reads it, never changes it
    new = model.__new__

    def make(values: dict[str, Any]) -> M:
        if values.keys() != names:
            missing, unknown = sorted(names - values.keys()), sorted(values.keys() - names)
            raise ValueError(f"{model.__name__}: every field is given once (missing {missing}, unknown {unknown})")
        made = new(model)
        _SET(made, "__dict__", values)
        _SET(made, "__pydantic_fields_set__", fields_set)
        _SET(made, "__pydantic_extra__", None)
        _SET(made, "__pydantic_private__", None)
        return made

    return make
