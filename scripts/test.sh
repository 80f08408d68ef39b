#!/usr/bin/env bash
# The test command: installs what the tests need, starts a throwaway Neo4j, runs lint, types and
# every test (Neo4j tests required: a skip fails the run), and stops Neo4j whatever happens.
#
#   scripts/test.sh [pytest args...]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

say() { echo "== $*"; }

# Python: a venv with the project and its dev extras.
if [[ ! -x .venv/bin/python ]]; then
    say "creating .venv"
    python3 -m venv .venv
fi
if [[ ! -f .venv/.bpkg-installed || pyproject.toml -nt .venv/.bpkg-installed ]]; then
    say "installing the project with its dev extras"
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q -e ".[dev]"
    touch .venv/.bpkg-installed
fi
# Notebooks run on a kernel that uses this venv's Python.
.venv/bin/python -m ipykernel install --sys-prefix --name python3 >/dev/null

# Chromium for the browser tests, from Debian (never a browser download by a test tool).
if ! command -v chromium >/dev/null; then
    say "installing Chromium (Debian package)"
    if [[ $(id -u) -eq 0 ]]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null
    else sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null; fi
fi

say "ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
say "mypy --strict"
.venv/bin/mypy
.venv/bin/mypy --strict scripts/user_stage.py
say "basedpyright (LiteralString: no Cypher built at run time reaches the driver)"
.venv/bin/basedpyright
say "deptry (what the installed package imports is declared)"
.venv/bin/deptry .
say "import contracts (the layers of design.md)"
.venv/bin/lint-imports

# A throwaway Neo4j 5.26 on its own port and state folder, with a random password.
export BPKG_NEO4J_HOME="${BPKG_NEO4J_HOME:-$(mktemp -d /tmp/bpkg-neo4j.XXXXXX)}"
# A free port unless one is given: a Neo4j left running by someone else must not stop the run.
export NEO4J_BOLT_PORT="${NEO4J_BOLT_PORT:-$(.venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
export NEO4J_URI="bolt://127.0.0.1:$NEO4J_BOLT_PORT"
export NEO4J_USER=neo4j
NEO4J_PASSWORD="$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(18))')"
export NEO4J_PASSWORD
export NEO4J_DATABASE=neo4j
export BPKG_REQUIRE_NEO4J=1
trap '"$ROOT/tools/neo4j/neo4j.sh" stop || true' EXIT
say "starting Neo4j on $NEO4J_URI"
tools/neo4j/neo4j.sh start

say "pytest"
.venv/bin/python -m pytest "$@"

# The user stage: the wheel a user gets, with no dev extras, in a fresh venv, driven from outside the
# checkout through every documented command, API operation and page kind, on both backends.
# BPKG_USER_STAGE=0 skips it in a developer's loop; CI always runs it.
if [[ ${BPKG_USER_STAGE:-1} != 0 || ${CI:-} == true ]]; then
    WHEEL_VENV="$(mktemp -d /tmp/bpkg-wheel-venv.XXXXXX)"
    say "installing the wheel with no extras into $WHEEL_VENV (what 'pip install .' gives a user)"
    python3 -m venv "$WHEEL_VENV"
    "$WHEEL_VENV/bin/python" -m pip install -q --upgrade pip
    "$WHEEL_VENV/bin/python" -m pip install -q "$ROOT"
    python3 scripts/user_stage.py --bpkg "$WHEEL_VENV/bin/bpkg" --backend memory
    python3 scripts/user_stage.py --bpkg "$WHEEL_VENV/bin/bpkg" --backend neo4j
    rm -rf "$WHEEL_VENV"
fi
