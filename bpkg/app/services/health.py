"""Whether the backend answers, and which datasets it holds."""

from __future__ import annotations

from bpkg.app.errors import BackendUnavailable
from bpkg.app.services.api_types import HealthOut
from bpkg.app.store.port import GraphStore


def health(store: GraphStore, started_at: str, *, detail: bool = True) -> HealthOut:
    """Always an answer: an unreachable backend is reported, not raised.

    Without ``detail`` (a request without a key where keys are configured) only whether the service and its
    backend are up: the datasets' names are for key holders."""
    try:
        store.ping()
        dataset = store.dataset_info() if detail else None
        datasets = store.datasets() if detail else None
    except BackendUnavailable as exc:
        if not detail:
            return HealthOut(status="unavailable", reachable=False)
        return HealthOut(
            status="unavailable", backend=store.backend, reachable=False, message=str(exc), started_at=started_at
        )
    if not detail:
        return HealthOut(status="ok", reachable=True)
    return HealthOut(
        status="ok",
        backend=store.backend,
        reachable=True,
        dataset=dataset,
        datasets=datasets,
        started_at=started_at,
    )
