"""`create_app`: the FastAPI application (API, pages, static files) over one engine."""

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine

from config.settings import Settings
from earshot.api import customers, links, routes
from earshot.api.security import SecurityHeaders
from earshot.web import customer_pages, link_pages, pages
from storage.engine import make_engine
from storage.migrate import ensure_current

STATIC = Path(__file__).parent.parent / "web" / "static"


def create_app(settings: Settings, engine: Engine | None = None) -> FastAPI:
    if engine is None:
        engine = make_engine(settings.database_url)
        ensure_current(engine)
    app = FastAPI(title="Earshot", docs_url="/api/docs", redoc_url="/api/redoc", openapi_url="/api/openapi.json")
    app.state.engine = engine
    app.state.settings = settings
    app.add_middleware(SecurityHeaders)
    app.include_router(routes.router)
    app.include_router(links.router)
    app.include_router(customers.router)
    app.include_router(customers.advocates_router)
    app.include_router(pages.router)
    app.include_router(link_pages.router)
    app.include_router(customer_pages.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
