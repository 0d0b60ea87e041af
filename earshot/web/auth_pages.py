"""Signing in to the web UI: the login form, a session cookie (HttpOnly, SameSite=Lax), and signing out."""

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from earshot.api.access import SESSION_COOKIE, client_address, current_user
from earshot.api.deps import SessionDep
from earshot.services.auth import WEB_SESSION_LIFETIME, authenticate
from earshot.services.login_throttle import TooManySignIns, check_allowed, note_failure, note_success
from earshot.web.pages import templates
from storage.repo.staff import close_session, open_session

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    """Only a path on this site (no //evil.example or scheme) may follow a login."""
    return target if target and target.startswith("/") and not target.startswith("//") else "/"


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: Annotated[str | None, Query(max_length=500)] = None,
               failed: bool = False) -> HTMLResponse:
    return templates.TemplateResponse(request, "login.html", {"next": _safe_next(next), "failed": failed,
                                                              "page_name": "login"})


@router.post("/login")
def login(request: Request, session: SessionDep, username: Annotated[str, Form(max_length=64)],
          password: Annotated[str, Form(max_length=500)],
          next: Annotated[str, Form(max_length=500)] = "/") -> Response:
    engine, address = request.app.state.engine, client_address(request)
    try:  # throttled as the API's sign-in is (earshot/services/login_throttle.py)
        check_allowed(engine, name=username, address=address)
    except TooManySignIns as exc:
        return templates.TemplateResponse(
            request, "login.html", {"next": _safe_next(next), "refused": str(exc), "page_name": "login"},
            status_code=429, headers={"Retry-After": str(exc.retry_after_seconds)})
    user = authenticate(session, name=username, password=password)
    if user is None:
        session.close()  # it only read: its connection goes back before the failure is written on another
        note_failure(engine, name=username, address=address)
        return RedirectResponse(f"/login?failed=1&next={quote(_safe_next(next))}", status_code=303)
    note_success(session, name=username, address=address)
    token, _ = open_session(session, user=user, kind="web", lifetime=WEB_SESSION_LIFETIME)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(SESSION_COOKIE, token, max_age=int(WEB_SESSION_LIFETIME.total_seconds()), httponly=True,
                        samesite="lax", secure=request.url.scheme == "https")
    return response


@router.post("/logout")
async def logout(request: Request, session: SessionDep) -> RedirectResponse:
    await current_user(request, session)  # checks the CSRF token: nobody else may sign you out
    close_session(session, token=request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
