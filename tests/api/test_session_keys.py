"""Keys (issue 16, item 7): the key form's cookie holds a signed, expiring session token, never the key, and is
``Secure`` behind HTTPS; formula lead characters (fullwidth too) are neutralised in CSV/XLSX cells; the
OpenAPI pattern of ``as_of`` admits only days the API accepts."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from openpyxl import load_workbook

from bpkg.app.api.main import create_app
from bpkg.app.http import sessions
from bpkg.app.services.tables import safe, to_csv, to_xlsx
from bpkg.app.store.memory import MemoryStore
from bpkg.graph_schema.asof import AS_OF_PATTERN, parse_as_of
from tests.api.conftest import settings

KEYS = "alpha-key, beta-key"


@pytest.fixture
def keyed(memory_store: MemoryStore) -> Iterator[TestClient]:
    with TestClient(create_app(settings(api_keys=KEYS), store=memory_store), follow_redirects=False) as client:
        yield client


def _login(client: TestClient, key: str = "beta-key") -> str:
    answer = client.post("/view/key", data={"key": key, "next": "/view/node/ap-17"})
    assert answer.status_code == 303, answer.text
    return str(answer.headers["set-cookie"])


def _token(cookie: str) -> str:
    found = re.match(r"bpkg_session=([^;]+);", cookie)
    assert found is not None, cookie
    return found.group(1)


def test_the_cookie_holds_a_session_token_not_the_key(keyed: TestClient) -> None:
    cookie = _login(keyed)
    assert "beta-key" not in cookie and "alpha-key" not in cookie
    lowered = cookie.lower()
    assert "httponly" in lowered and "samesite=strict" in lowered and "max-age=43200" in lowered
    assert "secure" not in lowered.replace("samesite", "")  # plain HTTP: a Secure cookie would not come back
    assert keyed.get("/view/node/ap-17").status_code == 200


def test_the_raw_key_in_the_cookie_opens_nothing(keyed: TestClient) -> None:
    keyed.cookies.set("bpkg_session", "beta-key")
    assert keyed.get("/view/node/ap-17").status_code == 401
    keyed.cookies.set("bpkg_api_key", "beta-key")  # the old cookie
    assert keyed.get("/view/node/ap-17").status_code == 401


def test_a_changed_or_expired_token_opens_nothing(keyed: TestClient) -> None:
    token = _token(_login(keyed))
    expiry, nonce, tag, mac = token.split(".")
    keyed.cookies.clear()
    for forged in (f"{int(expiry) + 86400}.{nonce}.{tag}.{mac}", f"{expiry}.{nonce}.{tag}.{mac[:-2]}AA"):
        keyed.cookies.set("bpkg_session", forged)
        assert keyed.get("/view/node/ap-17").status_code == 401, forged
    secret = keyed.app.state.session_secret  # type: ignore[attr-defined]
    keyed.cookies.set("bpkg_session", sessions.issue(secret, "beta-key", lifetime=-1))
    assert keyed.get("/view/node/ap-17").status_code == 401
    keyed.cookies.set("bpkg_session", sessions.issue(secret, "beta-key", lifetime=60))
    assert keyed.get("/view/node/ap-17").status_code == 200


def test_a_session_ends_with_its_key(memory_store: MemoryStore) -> None:
    secret = "s" * 32
    first = create_app(settings(api_keys=KEYS, session_secret=secret), store=memory_store)
    with TestClient(first, follow_redirects=False) as client:
        token = _token(_login(client, "beta-key"))
    later = create_app(settings(api_keys="alpha-key", session_secret=secret), store=memory_store)
    with TestClient(later, follow_redirects=False) as client:
        client.cookies.set("bpkg_session", token)
        assert client.get("/view/node/ap-17").status_code == 401
    again = create_app(settings(api_keys=KEYS, session_secret=secret), store=memory_store)
    with TestClient(again, follow_redirects=False) as client:
        client.cookies.set("bpkg_session", token)  # the same secret: a restart keeps the session
        assert client.get("/view/node/ap-17").status_code == 200


def test_the_cookie_is_secure_over_https(memory_store: MemoryStore) -> None:
    app = create_app(settings(api_keys=KEYS), store=memory_store)
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
        assert "; secure" in _login(client).lower()
    app = create_app(settings(api_keys=KEYS, public_url="https://bpkg.example.org"), store=memory_store)
    with TestClient(app, follow_redirects=False) as client:
        assert "; secure" in _login(client).lower()


@pytest.mark.parametrize(
    "text",
    [
        '\uff1dHYPERLINK("http://x.invalid","click")',
        "\uff0b1+1",
        "\uff0d1+1",
        "\uff20SUM(A1)",
        "=1+1",
        "\t=1+1",
        "\r=1+1",
        " =1+1",
        "\u3000\uff1d1",
    ],
)
def test_formula_lead_characters_are_neutralised(text: str) -> None:
    assert safe(text) == "'" + text
    assert to_csv(["h"], [[text]]).decode("utf-8-sig").splitlines()[1].lstrip('"').startswith("'")
    book = load_workbook(io.BytesIO(to_xlsx("t", ["h"], [[text]])))
    sheet = book.worksheets[0]
    value = sheet["A2"].value
    assert isinstance(value, str) and value.startswith("'") and sheet["A2"].data_type == "s"


def test_plain_text_and_numbers_are_left_alone() -> None:
    assert safe("Lahore - MRC") == "Lahore - MRC" and safe(-3) == -3 and safe("a=b") == "a=b"


def test_the_openapi_pattern_of_as_of_is_the_checked_one(keyed: TestClient) -> None:
    spec = keyed.get("/openapi.json").json()
    found = [
        p["schema"]
        for path in spec["paths"].values()
        for op in path.values()
        for p in op.get("parameters", [])
        if p["name"] == "as_of"
    ]
    assert found, "no as_of parameter in the OpenAPI document"
    patterns = {s.get("pattern") or next(a.get("pattern") for a in s["anyOf"] if "pattern" in a) for s in found}
    assert patterns == {AS_OF_PATTERN}


@pytest.mark.parametrize("text", ["0000", "6744-21-49", "2019-02-29", "2100-02-29", "1899", "2101-01", "2019-04-31"])
def test_the_pattern_refuses_what_the_api_refuses(text: str) -> None:
    assert re.fullmatch(AS_OF_PATTERN, text) is None
    with pytest.raises(ValueError):
        parse_as_of(text)


@hsettings(max_examples=500, deadline=None)
@given(st.from_regex(AS_OF_PATTERN, fullmatch=True))
def test_every_day_the_pattern_admits_is_accepted(text: str) -> None:
    parse_as_of(text)


def test_a_schema_valid_leap_day_is_answered(client: TestClient) -> None:
    assert client.get("/coverage", params={"as_of": "2000-02-29"}).status_code == 200
    assert client.get("/coverage", params={"as_of": "1899"}).status_code == 422
