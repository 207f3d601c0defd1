"""OGC API - Features at ``/ogc``: plans, assets, couplings, no-dig conflicts,
areas, streets and one collection per environment layer, for GDAL, QGIS and
any other OGC API client.

Standards (``/ogc/conformance``): OGC API - Features - Part 1: Core (core,
GeoJSON, HTML, OpenAPI 3.0: the definition of these endpoints is ``/ogc/api``)
and Part 2: Coordinate Reference Systems by Reference (CRS84 and EPSG:28992).

Shaped as pygeoapi does: the provider (:mod:`openruimte.api.ogc.provider`: store
queries through the caller's view, paging, CRS), the documents
(:mod:`openruimte.api.ogc.documents`) and this thin router; the query parameters
(bbox, bbox-crs, crs, datetime) are parsed by :mod:`openruimte.api.params`, as
the REST API's are.

Errors are the OGC exception document ``{"code", "description"}`` (api/errors.py):
400 for an unknown query parameter or an invalid value, 404 for an unknown
collection or feature.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response

from openruimte.api import ogc_html
from openruimte.api.deps import SettingsDep, ViewDep
from openruimte.api.errors import ApiError
from openruimte.api.ogc.documents import (
    CONFORMANCE,
    GEOJSON,
    JSON,
    OPENAPI_30,
    PREFIX,
    SCHEMA_JSON,
    collection_doc,
    doc_links,
    items_doc,
    landing_doc,
    link,
    openapi_doc,
    respond,
    schema_doc,
    url,
)
from openruimte.api.ogc.provider import (
    CollectionCache,
    build_features,
    collection_info,
    collection_infos,
    get_cache,
    load,
    parse_items_query,
    select,
)
from openruimte.api.params import CRS_LIST, parse_crs_uri, reject_unknown

router = APIRouter(prefix=PREFIX, tags=["ogc"])
CacheDep = Annotated[CollectionCache, Depends(get_cache)]

# --------------------------------------------------------------------------- routes

Fmt = Annotated[str | None, Query(description="json or html (default: by the Accept header)")]


@router.get("", summary="OGC API Features: landing page")
def landing(request: Request, f: Fmt = None) -> Response:
    reject_unknown(request, {"f"})
    return respond(request, landing_doc(request), ogc_html.landing)


@router.get("/conformance", summary="OGC API Features: conformance classes")
def conformance(request: Request, f: Fmt = None) -> Response:
    reject_unknown(request, {"f"})
    return respond(
        request, {"links": doc_links(request, "/conformance"), "conformsTo": list(CONFORMANCE)}, ogc_html.conformance
    )


@router.get("/api", summary="OGC API Features: OpenAPI 3.0 definition of /ogc")
def api_definition(request: Request, view: ViewDep, cache: CacheDep, f: Fmt = None) -> Response:
    reject_unknown(request, {"f"})
    infos = collection_infos(view, cache)
    types = {i.id: load(view, cache, i.id).types() for i in infos}
    return JSONResponse(openapi_doc(request, infos, types), media_type=OPENAPI_30)


@router.get("/collections", summary="OGC API Features: the collections")
def collections(request: Request, view: ViewDep, cache: CacheDep, f: Fmt = None) -> Response:
    reject_unknown(request, {"f"})
    docs = [collection_doc(request, i, load(view, cache, i.id)) for i in collection_infos(view, cache)]
    doc = {"links": doc_links(request, "/collections"), "crs": list(CRS_LIST), "collections": docs}
    return respond(request, doc, ogc_html.collections)


@router.get("/collections/{collection_id}", summary="OGC API Features: one collection")
def collection(request: Request, collection_id: str, view: ViewDep, cache: CacheDep, f: Fmt = None) -> Response:
    reject_unknown(request, {"f"})
    info = collection_info(view, cache, collection_id)
    return respond(request, collection_doc(request, info, load(view, cache, info.id)), ogc_html.collection)


@router.get("/collections/{collection_id}/schema", summary="OGC API Features: JSON schema of the features")
def schema(request: Request, collection_id: str, view: ViewDep, cache: CacheDep) -> Response:
    reject_unknown(request, set())
    info = collection_info(view, cache, collection_id)
    return JSONResponse(schema_doc(request, info, load(view, cache, info.id)), media_type=SCHEMA_JSON)


@router.get("/collections/{collection_id}/items", summary="OGC API Features: features, filtered and paged")
def items(
    request: Request,
    collection_id: str,
    view: ViewDep,
    settings: SettingsDep,
    cache: CacheDep,
    limit: Annotated[str | None, Query(description="Page size (1..10000, default 10; larger is capped)")] = None,
    offset: Annotated[str | None, Query(description="Features to skip")] = None,
    bbox: Annotated[str | None, Query(description="minx,miny,maxx,maxy in bbox-crs")] = None,
    bbox_crs: Annotated[str | None, Query(alias="bbox-crs", description="CRS84 (default) or EPSG:28992 URI")] = None,
    datetime: Annotated[str | None, Query(description="Instant or interval start/end ('..' open)")] = None,
    crs: Annotated[str | None, Query(description="Output CRS: CRS84 (default) or EPSG:28992 URI")] = None,
    f: Fmt = None,
) -> Response:
    info = collection_info(view, cache, collection_id)
    loaded = load(view, cache, info.id)
    query = parse_items_query(request, info, loaded, settings.page_limit)
    positions = select(loaded, query, info.temporal)
    features = build_features(loaded, positions[query.offset : query.offset + query.limit], query.crs)
    doc = items_doc(request, info, query, len(positions), features)
    page = ogc_html.items_page(info.title, info.id)
    return respond(request, doc, page, GEOJSON, {"Content-Crs": f"<{query.crs}>"})


@router.get("/collections/{collection_id}/items/{feature_id:path}", summary="OGC API Features: one feature")
def feature(
    request: Request,
    collection_id: str,
    feature_id: str,
    view: ViewDep,
    cache: CacheDep,
    crs: Annotated[str | None, Query(description="Output CRS: CRS84 (default) or EPSG:28992 URI")] = None,
    f: Fmt = None,
) -> Response:
    reject_unknown(request, {"f", "crs"})
    crs_uri = parse_crs_uri(crs)
    info = collection_info(view, cache, collection_id)
    loaded = load(view, cache, info.id)
    position = loaded.position(feature_id)
    if position is None:
        raise ApiError(404, "not_found", f"no feature '{feature_id}' in collection '{info.id}'")
    doc = build_features(loaded, [position], crs_uri)[0]
    path = f"/collections/{info.id}/items/{quote(feature_id, safe=':~@')}"
    doc["links"] = [
        *doc_links(request, path, GEOJSON),
        link(url(request, f"/collections/{info.id}", [("f", "json")]), "collection", JSON, info.title),
    ]
    return respond(request, doc, ogc_html.feature_page(info.title, info.id), GEOJSON, {"Content-Crs": f"<{crs_uri}>"})
