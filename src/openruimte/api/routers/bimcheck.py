"""IDS checks of BIM model versions, and the IDS files organisations register.

Results follow the plan's visibility (whoever sees the plan sees its checks); starting a
check and registering an IDS file need an editor or admin of the organisation. Reports are
downloadable as JSON, Dutch HTML (self-contained) and BCF 2.1.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response

from openruimte.api.deps import PrincipalDep, StoreDep
from openruimte.api.errors import ApiError
from openruimte.api.routers.plans import _may_write
from openruimte.services import bimcheck, bimids

router = APIRouter(prefix="/api/bim", tags=["bim"])

_DOWNLOAD = {"Cache-Control": "private, no-store"}
#: database ids are 32-bit integers on both engines
Id = Annotated[int, Path(ge=1, le=2_147_483_647)]


@router.get("/versions/{version_id}/checks", summary="IDS check results of a model version (newest last)")
def list_checks(store: StoreDep, principal: PrincipalDep, version_id: Id) -> list[dict[str, Any]]:
    return bimcheck.results(store, principal, version_id)


@router.post(
    "/versions/{version_id}/checks",
    status_code=201,
    summary="Check a version now against its organisation's IDS files; editors and admins of the plan's owner",
)
def run_check(store: StoreDep, principal: PrincipalDep, version_id: Id) -> dict[str, Any]:
    if principal.anonymous:
        _may_write(principal, "")
    return bimcheck.check_now(store, principal, version_id)


@router.get("/versions/{version_id}/checks/{check_id}", summary="One IDS check report (JSON, openruimte-bim-check)")
def get_check(store: StoreDep, principal: PrincipalDep, version_id: Id, check_id: Id) -> dict[str, Any]:
    return bimcheck.stored_report(store, principal, version_id, check_id).as_dict()


@router.get("/versions/{version_id}/checks/{check_id}/report.html", summary="The report in Dutch (HTML, offline)")
def get_check_html(store: StoreDep, principal: PrincipalDep, version_id: Id, check_id: Id) -> HTMLResponse:
    report = bimcheck.stored_report(store, principal, version_id, check_id)
    headers = {**_DOWNLOAD, "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"}
    return HTMLResponse(bimcheck.as_html(report), headers=headers)


@router.get("/versions/{version_id}/checks/{check_id}/report.json", summary="The report as a JSON download")
def get_check_json(store: StoreDep, principal: PrincipalDep, version_id: Id, check_id: Id) -> Response:
    report = bimcheck.stored_report(store, principal, version_id, check_id)
    name = f"ids-controle-{version_id}-{check_id}.json"
    return Response(
        bimcheck.as_json(report),
        media_type="application/json",
        headers={**_DOWNLOAD, "Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/versions/{version_id}/checks/{check_id}/report.bcf", summary="The findings as BCF 2.1 (one topic each)")
def get_check_bcf(store: StoreDep, principal: PrincipalDep, version_id: Id, check_id: Id) -> Response:
    data = bimcheck.stored_bcf(store, principal, version_id, check_id)
    name = f"ids-controle-{version_id}-{check_id}.bcf"
    return Response(
        data,
        media_type="application/octet-stream",
        headers={**_DOWNLOAD, "Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/ids", summary="Registered IDS files (newest version of each; ?all=true for every version)")
def list_ids(
    store: StoreDep,
    principal: PrincipalDep,
    org: str | None = None,
    all: bool = False,  # noqa: A002
) -> list[dict[str, Any]]:
    if principal.anonymous:
        _may_write(principal, "")
    return bimids.list_ids(store, principal, org=org, all_versions=all)


@router.post(
    "/ids",
    status_code=201,
    summary="Register an IDS file (multipart: file, org, name); editors and admins of the organisation",
)
async def add_ids(request: Request, store: StoreDep, principal: PrincipalDep) -> dict[str, Any]:
    form = await request.form(max_files=1, max_fields=10)
    upload = form.get("file")
    org = form.get("org")
    if upload is None or isinstance(upload, str) or not isinstance(org, str) or not org.strip():
        raise ApiError(422, "invalid_request", "send the IDS as multipart field 'file' and the organisation as 'org'")
    _may_write(principal, org.strip())
    data = bytearray()
    while chunk := await upload.read(1024 * 1024):
        data += chunk
        if len(data) > bimcheck.MAX_IDS_BYTES:
            raise ApiError(413, "too_large", f"an IDS file may be at most {bimcheck.MAX_IDS_BYTES:,} bytes")
    name = form.get("name")
    file_name = (upload.filename or "requirements.ids").rsplit("/", 1)[-1][:200]
    await form.close()
    return bimids.register(
        store,
        principal,
        org.strip(),
        bytes(data),
        name=name.strip() if isinstance(name, str) and name.strip() else None,
        file_name=file_name,
    )
