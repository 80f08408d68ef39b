"""Whether the backend answers, and which dataset it holds."""

from __future__ import annotations

from app.errors import BackendUnavailable
from app.services.models import HealthOut
from app.store.port import GraphStore


def health(store: GraphStore, started_at: str) -> HealthOut:
    """Always an answer: an unreachable backend is reported, not raised."""
    try:
        store.ping()
        dataset = store.dataset_info()
    except BackendUnavailable as exc:
        return HealthOut(
            status="unavailable", backend=store.backend, reachable=False, message=str(exc), started_at=started_at
        )
    return HealthOut(status="ok", backend=store.backend, reachable=True, dataset=dataset, started_at=started_at)
