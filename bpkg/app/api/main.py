"""The FastAPI application and its lifespan: the API's composition root (the one place that picks a backend)."""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import fastapi_offline
from fastapi import Depends, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware

from bpkg.app.api import errors
from bpkg.app.api.bounds import BodyLimit
from bpkg.app.api.head import HeadAsGet
from bpkg.app.api.routers import (
    action_points,
    countries,
    coverage,
    crosswalk,
    export,
    health,
    matrix,
    nodes,
    paths,
    search,
    stats,
    subgraph,
    trace,
)
from bpkg.app.http.deps import PageKeyRequired, api_keys, require_api_key, require_page_key
from bpkg.app.http.encoded import GZIP_MINIMUM_SIZE
from bpkg.app.services.derivation import Follower, derive
from bpkg.app.services.tables import XLSX_MEDIA_TYPE
from bpkg.app.settings import Settings
from bpkg.app.store.port import GraphStore
from bpkg.app.web import pages

DESCRIPTION = """
Traceability between the Budapest Process (commitments, priority goals, the 41 action points of the 2019
Call for Action) and the Silk Routes projects, components and activities that respond to them.

Read-only. Lists take `limit` (at most 500, default 50) and `offset` and are ordered deterministically;
traversals take `depth` 1 to 4 and paths `max_hops` up to 6. Errors are JSON
`{"error": {"status", "message"}}`: 404 unknown id, number or code; 422 bad parameter; 503 backend
unavailable (retry after `Retry-After` seconds; `/health` says whether the backend answers); 504 the question
took longer than the query timeout (the backend is up: a slow answer is no outage). When API
keys are configured, every route except `/health` and the docs needs an `X-API-Key` header (401 otherwise).

The bundled sample implementation plan is **illustrative**: answers holding such links carry the dataset's
notice in `illustrative`.
"""

DATA_ROUTERS = [
    stats.router,
    nodes.router,
    action_points.router,
    trace.router,
    paths.router,
    coverage.router,
    matrix.router,
    countries.router,
    search.router,
    subgraph.router,
    export.router,
    crosswalk.router,
]


def _open_store(settings: Settings) -> tuple[GraphStore, Callable[[], None] | None]:
    """The store the settings ask for, and how to release it on shutdown (close the Neo4j driver, or nothing)."""
    if settings.backend == "neo4j":
        from bpkg.app.neo4j_driver import open_driver
        from bpkg.app.store.neo4j.store import Neo4jStore

        # Not verified here: the API must start (and /health say so) even while Neo4j is down.
        driver = open_driver(settings, verify=False)
        neo = Neo4jStore(
            driver,
            settings.neo4j_database,
            timeout=settings.query_timeout,
            probe_interval=settings.outage_probe_interval,
            warm=settings.neo4j_warm_up,  # the store's reads planned now and after each outage (issue 16, item 8)
        )
        if settings.derive_interval <= 0:
            return neo, neo.close
        follower = Follower(neo, settings.derive_interval)
        follower.start()

        def release() -> None:
            follower.stop()
            neo.close()

        return neo, release
    from bpkg.app.store.memory import MemoryStore
    from bpkg.loaders import build_graph, load_dataset

    store = MemoryStore(build_graph(load_dataset(settings.dataset)))
    long_lived(store)
    return store, None


def long_lived(store: GraphStore) -> None:
    """Once a server has built its memory store from a dataset, before it answers anything:

    - derive what every coverage, gaps, matrix, list and brief answer reads, every action point's facts, once
      for the dataset loaded (design.md section 4), so that no first question after a start pays for it;
    - then move the graph, its indexes and the facts out of the cyclic collector's reach: they live as long as
      the process, and every full collection would walk them all (a request that builds a large answer
      triggers several; at 100k relationships they doubled the headline question's time)."""
    derive(store)
    gc.freeze()


def _operation_id(route: APIRoute) -> str:
    # Short, stable operation ids (the function names) for generated clients, instead of path-derived ones.
    return route.name


def create_app(settings: Settings | None = None, store: GraphStore | None = None) -> FastAPI:
    """The API (and pages); with ``store`` given it serves that store and leaves its closing to the caller."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if store is not None:
            yield
            return
        app.state.store, release = _open_store(settings)
        try:
            yield
        finally:
            app.state.store = None
            if release is not None:
                release()

    app = FastAPI(
        title="Budapest Process traceability API",
        version="1.0.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        generate_unique_id_function=_operation_id,
        # The default docs pages load Swagger UI from a CDN; ours serve the copy bundled with the package.
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.store = store
    app.state.started_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    errors.install(app)
    app.add_middleware(HeadAsGet)
    # Outermost of ours: a body over its limit is refused before any route reads it.
    app.add_middleware(BodyLimit)
    # Bodies over about 1 kB are gzipped for clients that accept it; level 6 (zlib's default) rather than
    # Starlette's 9: nearly as small, faster on multi-megabyte answers. Spreadsheets are zip
    # files already. Outside HeadAsGet: a HEAD, whose body is empty, keeps the GET's uncompressed length.
    app.add_middleware(
        GZipMiddleware,
        minimum_size=GZIP_MINIMUM_SIZE,
        compresslevel=6,
        exclude_content_types=(*DEFAULT_EXCLUDED_CONTENT_TYPES, XLSX_MEDIA_TYPE),
    )

    protected = [Depends(require_api_key)] if api_keys(settings) else []
    unauthorised: errors.Responses = errors.UNAUTHORISED if protected else {}
    app.include_router(health.router)
    install_docs(app)
    for router in DATA_ROUTERS:
        app.include_router(router, dependencies=protected, responses=unauthorised)

    # -- HTML pages (bpkg/app/web), behind the same optional API key ----------------------------------------
    app.include_router(pages.public_router)
    if protected:
        # Pages take the key from the header or from the cookie the key form sets.
        app.add_exception_handler(PageKeyRequired, pages.key_required)
        app.include_router(pages.router, dependencies=[Depends(require_page_key)])
    else:
        app.include_router(pages.router)
    return app


def app_from_env() -> FastAPI:
    """The app with settings read from the environment: the factory each ``bpkg serve --workers N`` worker calls
    (also usable as ``uvicorn bpkg.app.api.main:app_from_env --factory``; with uvicorn's own ``--workers`` see
    docs/scale-out.md)."""
    return create_app(Settings())


def install_docs(app: FastAPI) -> None:
    """``/docs``: Swagger UI 5 from the ``fastapi-offline`` package's files, so the docs work with no network."""
    assets = Path(fastapi_offline.__file__).parent / "static"
    app.mount("/docs-static", StaticFiles(directory=assets), name="docs-static")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} - docs",
            swagger_js_url="/docs-static/swagger-ui-bundle.js",
            swagger_css_url="/docs-static/swagger-ui.css",
            swagger_favicon_url="/docs-static/favicon.png",
        )
