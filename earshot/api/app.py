"""`create_app`: the FastAPI application (API, pages, static files) over one engine."""

from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from sqlalchemy import Engine
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from config.settings import Settings
from earshot.api import auth_routes, customers, exports, items, links, routes, trends, workload
from earshot.api.access import LoginRequired, is_page
from earshot.api.security import SecurityHeaders
from earshot.api.write_gate import WriteGate
from earshot.services.listing_cache import ListingCache, stamp_file
from earshot.services.shared_views import SharedViews
from earshot.web import analytics_pages, auth_pages, customer_pages, item_pages, link_pages, pages
from earshot.web.pages import templates
from storage.engine import make_engine
from storage.errors import known_store_problem
from storage.migrate import ensure_current

RETRY_AFTER_SECONDS = 5  # what a 503 asks clients to wait while the store is unreachable
SERVER_MAPPED_BYTES = 256 << 20  # a SQLite store the server reads through memory mapping (see make_engine)
# Connections a server process keeps open: its requests read in up to 40 threads at once, and a pool of 5 (the
# default) had busy moments open and close extra PostgreSQL connections per request (a backend forked each time;
# found by bench/soak). 16 kept, 8 more at peaks: two server processes stay well inside PostgreSQL's 100.
SERVER_POOL = {"pool_size": 16, "max_overflow": 8}
STATIC = Path(__file__).parent.parent / "web" / "static"
ROUTERS = (  # the JSON API, then the pages; every route but health and sign-in checks the caller's role. Requests are
    # matched against the routers in this order, so the busiest (health, the queue listing) come first
    routes.router, auth_routes.router, workload.router, trends.router, exports.router, items.router,
    items.replies_router, links.router,
    customers.router, customers.advocates_router,
    auth_pages.router, pages.router, item_pages.router, link_pages.router, customer_pages.router,
    analytics_pages.router,
)


def create_app(settings: Settings, engine: Engine | None = None) -> FastAPI:
    if engine is None:
        engine = make_engine(settings.database_url, mapped_bytes=SERVER_MAPPED_BYTES, **SERVER_POOL)
        ensure_current(engine)
    app = FastAPI(title="Earshot", docs_url="/api/docs", redoc_url="/api/redoc", openapi_url="/api/openapi.json")
    app.state.engine = engine
    app.state.settings = settings
    stamp = stamp_file(settings.database_url)
    app.state.listing_cache = ListingCache(settings.engage.listing_cache_seconds, stamp=stamp,
                                           shared=SharedViews.open(stamp.with_suffix(".views")))
    app.add_middleware(WriteGate)
    app.add_middleware(SecurityHeaders)
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_exception_handler(LoginRequired, _to_login)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    for unavailable in (OperationalError, InterfaceError, PoolTimeout):
        app.add_exception_handler(unavailable, _store_unavailable)
    return app


async def _store_unavailable(request: Request, exc: Exception) -> Response:
    """The store cannot be reached (or is full, locked): 503 with Retry-After and one line saying so, never a stack
    trace. The engine checks connections before use (pool_pre_ping), so requests succeed again once it is back,
    without a restart."""
    problem = known_store_problem(exc)
    detail = f"{problem.what if problem else 'the database cannot be reached'}; try again shortly"
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if not is_page(request):
        return JSONResponse({"detail": detail}, status_code=503, headers=headers)
    return templates.TemplateResponse(request, "error.html", {"status": 503, "detail": detail,
                                                              "title": "Service unavailable"},
                                      status_code=503, headers=headers)


async def _to_login(request: Request, exc: Exception) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target)}", status_code=303)


async def _http_error(request: Request, exc: Exception) -> Response:
    """Pages get an HTML page saying what went wrong; the API keeps FastAPI's JSON errors."""
    assert isinstance(exc, StarletteHTTPException)
    if not is_page(request):
        return await http_exception_handler(request, exc)
    titles = {403: "Not allowed", 404: "Not found"}
    return templates.TemplateResponse(request, "error.html", {"status": exc.status_code, "detail": exc.detail,
                                                              "title": titles.get(exc.status_code, "Error")},
                                      status_code=exc.status_code, headers=getattr(exc, "headers", None))
