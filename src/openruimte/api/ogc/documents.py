"""The documents of OGC API Features (landing page, conformance, collections,
items, one feature, schemas, the OpenAPI 3.0 definition) as JSON, and as HTML
through :mod:`openruimte.api.ogc_html` when the client asks for it.

Standards (``/ogc/conformance``): OGC API - Features - Part 1: Core (core,
GeoJSON, HTML, OpenAPI 3.0: the definition of these endpoints is ``/ogc/api``)
and Part 2: Coordinate Reference Systems by Reference (CRS84 and EPSG:28992).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from openruimte.api import ogc_html
from openruimte.api.errors import ApiError
from openruimte.api.ogc.provider import DEFAULT_LIMIT, CollectionInfo, ItemsQuery, Loaded
from openruimte.api.params import CRS_LIST
from openruimte.io.crs import CRS84_URI, RD_URI

#: where the OGC API is mounted
PREFIX = "/ogc"
CONFORMANCE = (
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
)
GEOJSON = "application/geo+json"
JSON = "application/json"
HTML = "text/html"
OPENAPI_30 = "application/vnd.oai.openapi+json;version=3.0"
SCHEMA_JSON = "application/schema+json"

# --------------------------------------------------------------------------- responses


def wants_html(request: Request) -> bool:
    """``f=html|json`` decides; without it the Accept header (text/html preferred over JSON)."""
    f = request.query_params.get("f")
    if f:
        if f.lower() == "html":
            return True
        if f.lower() in ("json", "geojson"):
            return False
        raise ApiError(400, "invalid_format", f"f must be json or html, got '{f}'")
    html_q = json_q = 0.0
    for part in request.headers.get("accept", "").split(","):
        media, *params = [p.strip() for p in part.split(";")]
        q = 1.0
        for p in params:
            if p.startswith("q="):
                try:
                    q = float(p[2:])
                except ValueError:
                    q = 0.0
        if media in ("text/html", "application/xhtml+xml"):
            html_q = max(html_q, q)
        elif media in (JSON, GEOJSON, "*/*", "application/*"):
            json_q = max(json_q, q)
    return html_q > json_q


def respond(
    request: Request,
    doc: dict[str, Any],
    page: ogc_html.Page,
    media_type: str = JSON,
    headers: dict[str, str] | None = None,
) -> Response:
    headers = {"Vary": "Accept", **(headers or {})}
    if wants_html(request):
        return HTMLResponse(page(doc, url(request, "")), headers=headers)
    return JSONResponse(doc, media_type=media_type, headers=headers)


def url(request: Request, path: str, params: Sequence[tuple[str, Any]] = ()) -> str:
    base = str(request.base_url).rstrip("/") + PREFIX + path
    return f"{base}?{urlencode(list(params))}" if params else base


def link(href: str, rel: str, media_type: str, title: str) -> dict[str, str]:
    return {"href": href, "rel": rel, "type": media_type, "title": title}


def doc_links(request: Request, path: str, media_type: str = JSON) -> list[dict[str, str]]:
    """self and alternate: the JSON and the HTML version of a resource."""
    html = wants_html(request)
    as_json = link(url(request, path, [("f", "json")]), "alternate", media_type, "Als JSON / as JSON")
    as_html = link(url(request, path, [("f", "html")]), "alternate", HTML, "Als HTML / as HTML")
    (as_html if html else as_json)["rel"] = "self"
    (as_html if html else as_json)["title"] = "Dit document / this document"
    return [as_html, as_json] if html else [as_json, as_html]


def landing_doc(request: Request) -> dict[str, Any]:
    return {
        "title": "OpenRuimte - OGC API Features",
        "description": (
            "Plannen, assets, koppelkansen en omgevingslagen van het programmeren van de openbare ruimte. / "
            "Plans, assets, couplings and environment layers for integral programming of public space."
        ),
        "links": [
            *doc_links(request, ""),
            link(url(request, "/api"), "service-desc", OPENAPI_30, "API-definitie (OpenAPI 3.0) / API definition"),
            link(
                str(request.base_url) + "openapi.json",
                "service-desc",
                "application/vnd.oai.openapi+json;version=3.1",
                "Hele OpenRuimte-API (OpenAPI 3.1) / the whole OpenRuimte API",
            ),
            link(str(request.base_url) + "docs", "service-doc", HTML, "API-documentatie / API documentation"),
            link(
                url(request, "/conformance", [("f", "json")]),
                "conformance",
                JSON,
                "Ondersteunde standaarden / conformance classes",
            ),
            link(url(request, "/collections", [("f", "json")]), "data", JSON, "Collecties / collections"),
        ],
    }


def collection_doc(request: Request, info: CollectionInfo, loaded: Loaded) -> dict[str, Any]:
    path = f"/collections/{info.id}"
    doc: dict[str, Any] = {
        "id": info.id,
        "title": info.title,
        "description": info.description,
        "links": [
            *doc_links(request, path),
            link(url(request, path + "/items", [("f", "json")]), "items", GEOJSON, "Features als GeoJSON"),
            link(url(request, path + "/items", [("f", "html")]), "items", HTML, "Features als HTML"),
            # relation types compare case-insensitively (RFC 8288); GDAL 3.6 looks for exactly "describedBy"
            link(url(request, path + "/schema"), "describedBy", SCHEMA_JSON, "Schema van de features / feature schema"),
        ],
        "itemType": "feature",
        "crs": list(CRS_LIST),
        "storageCrs": RD_URI,
        "numberMatched": len(loaded),
        "queryables": list(info.queryables),
    }
    extent = loaded.extent(info.temporal)
    if extent:
        doc["extent"] = extent
    return doc


def items_doc(
    request: Request, info: CollectionInfo, query: ItemsQuery, matched: int, features: list[dict[str, Any]]
) -> dict[str, Any]:
    path = f"/collections/{info.id}/items"
    html = wants_html(request)
    kept = [(k, v) for k, v in request.query_params.multi_items() if k not in ("f", "offset", "limit")]

    def page(offset: int, fmt: str) -> str:
        return url(request, path, [*kept, ("limit", query.limit), ("offset", offset), ("f", fmt)])

    here, there = ("html", "json") if html else ("json", "html")
    here_type, there_type = (HTML, GEOJSON) if html else (GEOJSON, HTML)
    links = [
        link(page(query.offset, here), "self", here_type, "Deze pagina / this page"),
        link(page(query.offset, there), "alternate", there_type, "Deze pagina als " + there.upper()),
        link(
            url(request, f"/collections/{info.id}", [("f", here)]), "collection", JSON if not html else HTML, info.title
        ),
    ]
    if query.offset + len(features) < matched:
        links.append(link(page(query.offset + query.limit, here), "next", here_type, "Volgende / next"))
    if query.offset > 0:
        links.append(link(page(max(query.offset - query.limit, 0), here), "prev", here_type, "Vorige / previous"))
    return {
        "type": "FeatureCollection",
        "timeStamp": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "numberMatched": matched,
        "numberReturned": len(features),
        "links": links,
        "features": features,
    }


def schema_doc(request: Request, info: CollectionInfo, loaded: Loaded) -> dict[str, Any]:
    """A JSON schema of the GeoJSON features (GDAL reads the field types from it)."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": url(request, f"/collections/{info.id}/schema"),
        "title": info.title,
        "type": "object",
        "required": ["type", "geometry", "properties"],
        "properties": {
            "type": {"type": "string", "enum": ["Feature"]},
            "id": {"type": "string"},
            "geometry": {"type": "object"},
            "properties": {"type": "object", "properties": loaded.types()},
        },
    }


def openapi_doc(request: Request, infos: list[CollectionInfo], types: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """An OpenAPI 3.0 definition of the OGC endpoints (paths relative to /ogc), with every queryable."""

    def ref(name: str) -> dict[str, str]:
        return {"$ref": f"#/components/parameters/{name}"}

    def ok(description: str, *media: str) -> dict[str, Any]:
        return {
            "200": {"description": description, "content": {m: {"schema": {"type": "object"}} for m in media}},
            "400": {
                "description": "Ongeldige parameter / invalid parameter",
                "content": {JSON: {"schema": {"$ref": "#/components/schemas/exception"}}},
            },
        }

    paths: dict[str, Any] = {
        "/": {
            "get": {
                "summary": "Landing page",
                "operationId": "getLandingPage",
                "parameters": [ref("f")],
                "responses": ok("Landing page", JSON, HTML),
            }
        },
        "/conformance": {
            "get": {
                "summary": "Conformance classes",
                "operationId": "getConformance",
                "parameters": [ref("f")],
                "responses": ok("Conformance", JSON, HTML),
            }
        },
        "/api": {
            "get": {
                "summary": "This API definition",
                "operationId": "getAPI",
                "responses": ok("OpenAPI 3.0", OPENAPI_30),
            }
        },
        "/collections": {
            "get": {
                "summary": "Collections",
                "operationId": "getCollections",
                "parameters": [ref("f")],
                "responses": ok("Collections", JSON, HTML),
            }
        },
        "/collections/{collectionId}": {
            "get": {
                "summary": "One collection",
                "operationId": "describeCollection",
                "parameters": [ref("collectionId"), ref("f")],
                "responses": ok("Collection", JSON, HTML),
            }
        },
    }
    for info in infos:
        queryables = [
            {
                "name": q,
                "in": "query",
                "required": False,
                "style": "form",
                "explode": True,
                "description": f"Gelijk aan / equal to (property '{q}'; a list property matches when it contains it)",
                "schema": {"type": types.get(info.id, {}).get(q, {}).get("type", "string")},
            }
            for q in info.queryables
        ]
        paths[f"/collections/{info.id}/items"] = {
            "get": {
                "summary": f"Features: {info.title}",
                "operationId": f"getFeatures-{info.id}",
                "tags": [info.id],
                "parameters": [ref(p) for p in ("limit", "offset", "bbox", "bbox-crs", "datetime", "crs", "f")]
                + queryables,
                "responses": ok("GeoJSON FeatureCollection", GEOJSON, HTML),
            }
        }
        paths[f"/collections/{info.id}/items/{{featureId}}"] = {
            "get": {
                "summary": f"One feature: {info.title}",
                "operationId": f"getFeature-{info.id}",
                "tags": [info.id],
                "parameters": [ref("featureId"), ref("crs"), ref("f")],
                "responses": ok("GeoJSON Feature", GEOJSON, HTML),
            }
        }
        paths[f"/collections/{info.id}/schema"] = {
            "get": {
                "summary": f"Schema: {info.title}",
                "operationId": f"getSchema-{info.id}",
                "tags": [info.id],
                "responses": ok("JSON schema", SCHEMA_JSON),
            }
        }

    def query(name: str, schema: dict[str, Any], description: str, explode: bool = True) -> dict[str, Any]:
        return {
            "name": name,
            "in": "query",
            "required": False,
            "style": "form",
            "explode": explode,
            "schema": schema,
            "description": description,
        }

    return {
        "openapi": "3.0.3",
        "info": {
            "title": "OpenRuimte - OGC API Features",
            "version": "1.0.0",
            "description": "OGC API - Features Part 1 and Part 2 (CRS84, EPSG:28992).",
        },
        "servers": [{"url": url(request, "")}],
        "paths": paths,
        "components": {
            "parameters": {
                "f": query("f", {"type": "string", "enum": ["json", "html"]}, "Formaat / format"),
                "limit": query(
                    "limit",
                    {"type": "integer", "minimum": 1, "maximum": 10000, "default": DEFAULT_LIMIT},
                    "Features per pagina (meer dan het maximum: het maximum) / page size",
                ),
                "offset": query("offset", {"type": "integer", "minimum": 0, "default": 0}, "Start bij / skip"),
                "bbox": query(
                    "bbox",
                    {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}},
                    "minx,miny,maxx,maxy in bbox-crs",
                    explode=False,
                ),
                "bbox-crs": query(
                    "bbox-crs",
                    {"type": "string", "format": "uri", "enum": list(CRS_LIST), "default": CRS84_URI},
                    "CRS van bbox / CRS of bbox",
                ),
                "datetime": query(
                    "datetime", {"type": "string"}, "Moment of interval (start/end, '..' open) / instant or interval"
                ),
                "crs": query(
                    "crs",
                    {"type": "string", "format": "uri", "enum": list(CRS_LIST), "default": CRS84_URI},
                    "CRS van de geometrie / output CRS",
                ),
                "collectionId": {
                    "name": "collectionId",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string", "enum": [i.id for i in infos]},
                },
                "featureId": {"name": "featureId", "in": "path", "required": True, "schema": {"type": "string"}},
            },
            "schemas": {
                "exception": {
                    "type": "object",
                    "required": ["code"],
                    "properties": {"code": {"type": "string"}, "description": {"type": "string"}},
                }
            },
        },
    }
