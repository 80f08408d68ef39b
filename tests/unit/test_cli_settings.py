"""Every CLI flag that names a setting reaches ``Settings`` (flags and fields are matched by name, not listed)."""

from __future__ import annotations

import argparse
import typing

import pytest
from pydantic import SecretStr

from bpkg.app import cli
from bpkg.app.settings import Settings

# The positional arguments each command needs, so that a flag can be parsed on its own.
REQUIRED: dict[str, list[str]] = {
    "diff": ["old", "new"],
    "synth": ["out", "--relationships", "1"],
    "template": ["template.csv"],
    "export": ["graph.ttl", "--format", "ttl"],
}


def _commands() -> dict[str, argparse.ArgumentParser]:
    (sub,) = [a for a in cli._parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(sub.choices)


def _sample(name: str) -> str:
    """A value for the setting ``name`` that is not its default, as typed on a command line."""
    field = Settings.model_fields[name]
    annotation = field.annotation
    if typing.get_origin(annotation) is typing.Literal:
        return next(str(choice) for choice in typing.get_args(annotation) if choice != field.default)
    if annotation is int:
        return str(int(field.default) + 1)
    if annotation is float:
        return str(float(field.default) * 2 + 1)
    if name == "public_url":
        return "https://graph.example.org"
    return f"{name}-from-the-flag"


def _setting_flags() -> list[tuple[str, str, list[str]]]:
    """(command, setting, argv) for every argument of every command whose dest is a setting's name."""
    found = []
    for command, parser in _commands().items():
        for action in parser._actions:
            if action.dest in Settings.model_fields:
                value = _sample(action.dest)
                given = [*action.option_strings[:1], value]
                found.append((command, action.dest, [command, *REQUIRED.get(command, []), *given]))
    return found


SETTING_FLAGS = _setting_flags()


def test_the_settings_flags_are_found() -> None:
    # The check below is not vacuous: the flags documented in the README are among those it checks.
    found = {(command, name) for command, name, _ in SETTING_FLAGS}
    expected = {("serve", n) for n in ("backend", "dataset", "host", "port", "neo4j_uri", "neo4j_password")}
    expected |= {("load", "backend"), ("load", "neo4j_database"), ("stats", "neo4j_user"), ("load", "dataset")}
    assert expected <= found


@pytest.mark.parametrize(("command", "name", "argv"), SETTING_FLAGS, ids=[f"{c}-{n}" for c, n, _ in SETTING_FLAGS])
def test_every_settings_flag_is_honoured(command: str, name: str, argv: list[str]) -> None:
    args = cli._parser().parse_args(argv)
    value = getattr(cli._settings(args), name)
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    assert str(value) == argv[-1], (command, name)


def test_a_flag_for_no_setting_is_refused() -> None:
    with pytest.raises(ValueError, match="no setting 'neo4j_url'"):
        cli._setting_flag(argparse.ArgumentParser(), "neo4j_url")


def test_settings_not_given_keep_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEO4J_URI", "bolt://db.internal:7687")
    monkeypatch.setenv("BPKG_PORT", "8123")
    settings = cli._settings(cli._parser().parse_args(["serve", "--host", "0.0.0.0"]))
    assert (settings.neo4j_uri, settings.port, settings.host) == ("bolt://db.internal:7687", 8123, "0.0.0.0")
