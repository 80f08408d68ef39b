"""Settings from the environment (``BPKG_*`` and the standard ``NEO4J_*`` variables) or flags."""

from __future__ import annotations

from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Backend = Literal["memory", "neo4j"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BPKG_", extra="ignore")

    backend: Backend = "memory"
    dataset: str = "budapest-process"
    host: str = "127.0.0.1"
    port: int = 8000
    neo4j_uri: str = Field(
        default="bolt://127.0.0.1:7687", validation_alias=AliasChoices("BPKG_NEO4J_URI", "NEO4J_URI")
    )
    neo4j_user: str = Field(
        default="neo4j", validation_alias=AliasChoices("BPKG_NEO4J_USER", "NEO4J_USER", "NEO4J_USERNAME")
    )
    neo4j_password: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("BPKG_NEO4J_PASSWORD", "NEO4J_PASSWORD")
    )
    neo4j_database: str = Field(default="neo4j", validation_alias=AliasChoices("BPKG_NEO4J_DATABASE", "NEO4J_DATABASE"))
    # Seconds a read may run in Neo4j before the server stops it (a pathological query cannot hold a worker).
    query_timeout: float = 10.0
    # Seconds to open a connection to Neo4j, and to get one from the pool (which may include opening
    # it); short so that an unreachable Neo4j answers 503 within about a second.
    connect_timeout: float = Field(default=1.0, gt=0)
    acquire_timeout: float = Field(default=2.0, gt=0)
    # While Neo4j is known to be down, reads answer 503 at once and a background probe checks it this often.
    outage_probe_interval: float = Field(default=0.5, gt=0)
    # Warm a cold Neo4j in the background when the API connects and after each outage (its reads planned
    # before the first questions: bpkg/app/store/neo4j/warmup.py); off only to measure what it saves.
    neo4j_warm_up: bool = True
    # How often (seconds) a Neo4j-backed API looks for a newly published dataset version, to derive what the
    # answers read (every action point's facts) before a question needs it: bpkg/app/services/derivation.py.
    # 0 switches it off (the first question after a load then derives).
    derive_interval: float = Field(default=5.0, ge=0)
    # The public address of this service (e.g. https://bpkg.example.org), used for links in downloaded views
    # (without it a downloaded view links to nothing outside itself) and as the base of the URIs in the RDF
    # and IATI exports (<url>/nodes/<id>, the node's address in the API; without it urn:bpkg:nodes/<id>).
    public_url: str = Field(default="", pattern=r"^(https?://[^\s/?#]+(/[^\s?#]*)?)?$")

    @field_validator("public_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    # IATI exports: the reporting organisation's identifier (the prefix of every iati-identifier), its IATI
    # OrganisationType code and its name. Set them to the publisher's own before publishing the file.
    iati_prefix: str = Field(default="BPKG", pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
    iati_org_type: str = Field(default="90", pattern=r"^[0-9]{2}$")
    iati_org_name: str = Field(default="bpkg (Budapest Process knowledge graph), secondary report", max_length=300)

    # Optional API keys (comma-separated); when set, requests need an ``X-API-Key`` header.
    api_keys: str = ""
    # The secret that signs the key form's session cookies (bpkg/app/http/sessions.py); random per process when
    # unset, so set it when several workers or a restart must honour the same cookies.
    session_secret: SecretStr | None = None
    # How long a session opened with the key form lasts, in hours.
    session_hours: float = Field(default=12.0, gt=0, le=24 * 30)
