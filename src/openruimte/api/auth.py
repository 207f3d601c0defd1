"""Authentication: ``Authorization: Bearer TOKEN`` for programs, a login page
with a session cookie for people.

* A token or session names an organisation and a role (store/permissions.py
  decides what that principal sees). No credentials: anonymous, public data only.
* A bad, expired or revoked token is refused with 401 (never silently anonymous).
* The session cookie is HttpOnly, SameSite=Strict, Secure over https. Unsafe
  requests (POST, PUT, PATCH, DELETE) authenticated by the cookie need the
  session's CSRF token in ``X-CSRF-Token`` (or the form field ``csrf_token``)
  and, when the browser sends one, an Origin of this server.
* Failed logins are counted per account and per address (store/security.py).
"""

from __future__ import annotations

import hmac
from html import escape
from typing import Any
from urllib.parse import urlparse

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from openruimte.api.errors import ApiError
from openruimte.model.access import ANONYMOUS, Principal
from openruimte.store import security

router = APIRouter(tags=["auth"])

SESSION_COOKIE = "openruimte_session"
CSRF_COOKIE = "openruimte_csrf"
#: the device cookie (OWASP): a signed proof that this browser logged in as the user before
DEVICE_COOKIE = "openruimte_device"
DEVICE_DAYS = 180
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _unauthorized(message: str) -> ApiError:
    return ApiError(401, "invalid_token", message, headers={"WWW-Authenticate": 'Bearer realm="openruimte"'})


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if not origin:
        return True  # no Origin (older clients, same-origin GET-like posts): the CSRF token decides
    own = urlparse(str(request.base_url))
    given = urlparse(origin)
    return (given.scheme, given.netloc) == (own.scheme, own.netloc)


def authenticate(request: Request) -> Principal:
    """The principal of a request (kept on the request: asked once)."""
    cached = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    principal = _authenticate(request)
    request.state.principal = principal
    return principal


def _authenticate(request: Request) -> Principal:
    store = request.app.state.store
    header = request.headers.get("authorization")
    if header is not None:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise _unauthorized("the Authorization header must be 'Bearer TOKEN'")
        principal = security.token_principal(store, token.strip())
        if principal is None:
            raise _unauthorized("the token is unknown, expired or revoked; ask your admin for a new one")
        return principal
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return ANONYMOUS
    found = security.session(store, cookie)
    if found is None:
        return ANONYMOUS
    if request.method not in SAFE_METHODS:
        given = request.headers.get(CSRF_HEADER) or getattr(request.state, "form_csrf", None) or ""
        if not _same_origin(request) or not hmac.compare_digest(given.encode(), found.csrf.encode()):
            raise ApiError(
                403,
                "csrf_failed",
                "this request came with the session cookie but without its CSRF token (X-CSRF-Token); reload the page",
            )
    request.state.session = found
    return found.principal


# --------------------------------------------------------------------------- pages


def _local(path: str | None) -> str:
    """Only a path on this server (no open redirect)."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    return path


def login_page(
    error: str | None = None, next_path: str = "/", status: int = 200, headers: dict[str, str] | None = None
) -> HTMLResponse:
    from openruimte.api.routers.web import WEB

    page = (WEB / "templates" / "login.html").read_text(encoding="utf-8")
    messages = {
        "bad": ("login.error.bad", "Onbekend e-mailadres of verkeerd wachtwoord."),
        "many": ("login.error.many", "Te veel mislukte pogingen. Wacht een minuut en probeer het opnieuw."),
        "origin": ("login.error.origin", "Dit formulier kwam niet van deze server."),
    }
    block = ""
    if error in messages:
        key, text = messages[error]
        block = f'<p class="login-error" role="alert" data-testid="login-error" data-i18n="{key}">{escape(text)}</p>'
    page = page.replace("{{error}}", block).replace("{{next}}", escape(_local(next_path), quote=True))
    return HTMLResponse(page, status_code=status, headers={"Cache-Control": "no-store", **(headers or {})})


@router.get("/login", include_in_schema=False)
def login_form(request: Request, next: str = "/") -> Response:  # noqa: A002 - the query parameter's name
    return login_page(None, next)


@router.post("/login", include_in_schema=False)
async def login_submit(request: Request) -> Response:
    form = await request.form()
    next_path = _local(str(form.get("next") or "/"))
    if not _same_origin(request):
        return login_page("origin", next_path, 403)
    ip = request.client.host if request.client else "unknown"
    try:
        email, password = str(form.get("email") or ""), str(form.get("password") or "")
        device = request.cookies.get(DEVICE_COOKIE)
        cookie, found = security.login(request.app.state.store, email, password, ip, device)
    except security.TooManyAttempts as exc:
        return login_page("many", next_path, 429, {"Retry-After": str(exc.retry_after)})
    except security.LoginRefused:
        return login_page("bad", next_path, 401)
    response = RedirectResponse(next_path, status_code=303)
    secure = request.url.scheme == "https"
    max_age = security.SESSION_HOURS * 3600
    response.set_cookie(
        SESSION_COOKIE, cookie, max_age=max_age, httponly=True, samesite="strict", secure=secure, path="/"
    )
    response.set_cookie(
        CSRF_COOKIE, found.csrf, max_age=max_age, httponly=False, samesite="strict", secure=secure, path="/"
    )
    if found.device:  # this browser logged in as this user: spared the throttling delays next time
        response.set_cookie(
            DEVICE_COOKIE,
            found.device,
            max_age=DEVICE_DAYS * 86400,
            httponly=True,
            samesite="strict",
            secure=secure,
            path="/login",
        )
    return response


@router.post("/logout", include_in_schema=False)
async def logout(request: Request) -> Response:
    if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        form = await request.form()
        request.state.form_csrf = str(form.get("csrf_token") or "")
    principal = authenticate(request)  # checks the CSRF token of a cookie session
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie and principal.auth == "session":
        security.logout(request.app.state.store, cookie)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response


@router.get("/api/session", summary="Who is asking: organisation, role and how authenticated", tags=["auth"])
def whoami(request: Request) -> JSONResponse:
    principal = authenticate(request)
    found = getattr(request.state, "session", None)
    body: dict[str, Any] = {
        "authenticated": not principal.anonymous,
        "org": principal.org,
        "role": str(principal.role) if principal.role else None,
        "at_table": principal.at_table,
        "auth": principal.auth,
        "user": found.email if found else None,
    }
    return JSONResponse(body, headers={"Cache-Control": "no-store"})
