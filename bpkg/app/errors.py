"""Domain exceptions of the read side, mapped to HTTP in one place (bpkg/app/api/errors.py)."""

from bpkg.graph_schema.errors import BpkgError
from bpkg.loaders.problems import DatasetInvalid


class NotFound(BpkgError):
    """The id, number or code asked for does not exist (HTTP 404)."""


class InvalidQuery(BpkgError):
    """A parameter is out of range or inconsistent (HTTP 422)."""


class BackendUnavailable(BpkgError):
    """The graph backend cannot be reached or refused us (HTTP 503)."""


class QueryTimedOut(BpkgError):
    """One question took longer than the query timeout (HTTP 504): the backend is up, this answer was too slow."""


__all__ = ["BackendUnavailable", "BpkgError", "DatasetInvalid", "InvalidQuery", "NotFound", "QueryTimedOut"]
