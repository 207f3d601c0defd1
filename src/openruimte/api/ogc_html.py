"""The HTML pages of the OGC API (``/ogc?f=html`` or a browser's Accept header):
server-rendered tables and links, no scripts and no external assets; Dutch first.

Each function takes the JSON document of the page and ``root`` (the URL of
``/ogc``) and returns the page.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from html import escape
from typing import Any
from urllib.parse import quote

STYLE = (
    "body{font-family:system-ui,sans-serif;margin:1.5rem auto;max-width:90rem;padding:0 1rem;color:#1b1b1b}"
    "table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #c8c8c8;padding:.25rem .5rem;"
    "text-align:left;vertical-align:top}th{background:#f0f0f0}nav a,p.paging a{margin-right:1rem}"
    "pre{white-space:pre-wrap;word-break:break-all;max-height:20rem;overflow:auto;background:#f7f7f7;padding:.5rem}"
)

Page = Callable[[dict[str, Any], str], str]


def _page(title: str, body: str, root: str) -> str:
    nav = (
        f'<nav><a href="{escape(root)}?f=html">Start / Home</a>'
        f'<a href="{escape(root)}/collections?f=html">Collecties / Collections</a>'
        f'<a href="{escape(root)}/conformance?f=html">Standaarden / Conformance</a></nav>'
    )
    return (
        '<!doctype html><html lang="nl"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>"
        f"<body>{nav}<h1>{escape(title)}</h1>{body}</body></html>"
    )


def _a(href: str, text: str) -> str:
    return f'<a href="{escape(href)}">{escape(text)}</a>'


def _links(links: list[dict[str, str]]) -> str:
    rows = "".join(
        f"<tr><td>{_a(li['href'], li.get('title') or li['href'])}</td><td>{escape(li.get('rel', ''))}</td>"
        f"<td>{escape(li.get('type', ''))}</td></tr>"
        for li in links
    )
    return f"<table><tr><th>Link</th><th>rel</th><th>type</th></tr>{rows}</table>"


def _value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return escape(json.dumps(value, ensure_ascii=False))
    return escape(str(value))


def landing(doc: dict[str, Any], root: str) -> str:
    body = f"<p>{escape(doc['description'])}</p>" + _links(doc["links"])
    return _page(doc["title"], body, root)


def conformance(doc: dict[str, Any], root: str) -> str:
    items = "".join(f"<li>{_a(uri, uri)}</li>" for uri in doc["conformsTo"])
    return _page("Standaarden / Conformance", f"<ul>{items}</ul>", root)


def collections(doc: dict[str, Any], root: str) -> str:
    rows = []
    for c in doc["collections"]:
        here = f"{root}/collections/{c['id']}"
        rows.append(
            f"<tr><td>{_a(here + '?f=html', c['id'])}</td><td>{escape(c['title'])}</td>"
            f"<td>{c.get('numberMatched', '')}</td>"
            f"<td>{_a(here + '/items?f=html', 'features')} {_a(here + '/items?f=json', 'GeoJSON')}</td>"
            f"<td>{escape(c['description'])}</td></tr>"
        )
    table = (
        "<table><tr><th>Id</th><th>Titel / Title</th><th>Aantal / Count</th><th>Features</th>"
        f"<th>Beschrijving / Description</th></tr>{''.join(rows)}</table>"
    )
    return _page("Collecties / Collections", table, root)


def collection(doc: dict[str, Any], root: str) -> str:
    extent = doc.get("extent") or {}
    bbox = (extent.get("spatial") or {}).get("bbox") or [[]]
    interval = (extent.get("temporal") or {}).get("interval") or [[]]
    rows = [
        ("Id", escape(doc["id"])),
        ("Beschrijving / Description", escape(doc["description"])),
        ("Aantal features / Number of features", _value(doc.get("numberMatched"))),
        ("Begrenzing / Extent (CRS84)", escape(", ".join(str(v) for v in bbox[0]))),
        ("Periode / Interval", escape(" / ".join(str(v or "..") for v in interval[0]))),
        ("CRS", "<br>".join(escape(c) for c in doc["crs"])),
        ("Opslag-CRS / Storage CRS", escape(doc["storageCrs"])),
        ("Filters (?naam=waarde) / Queryables", escape(", ".join(doc.get("queryables", [])))),
    ]
    table = "<table>" + "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows if v) + "</table>"
    items_href = f"{root}/collections/{doc['id']}/items?f=html"
    body = (
        f"<p>{_a(items_href, 'Features bekijken / Browse features')}</p>"
        + table
        + "<h2>Links</h2>"
        + _links(doc["links"])
    )
    return _page(doc["title"], body, root)


def queryables(doc: dict[str, Any], root: str) -> str:
    rows = "".join(
        f"<tr><td>{escape(name)}</td><td>{escape(prop.get('type') or prop.get('format') or '')}</td></tr>"
        for name, prop in doc["properties"].items()
    )
    table = f"<table><tr><th>Veld / Property</th><th>Type</th></tr>{rows}</table>"
    return _page(f"{doc['title']}: filterbare velden / queryables", table, root)


def items_page(title: str, collection_id: str) -> Page:
    def render(doc: dict[str, Any], root: str) -> str:
        feats = doc["features"]
        names = list(feats[0]["properties"]) if feats else []
        head = "<tr><th>Id</th><th>Geometrie / Geometry</th>" + "".join(f"<th>{escape(n)}</th>" for n in names)
        rows = []
        for ft in feats:
            href = f"{root}/collections/{collection_id}/items/{quote(str(ft['id']), safe=':~@')}?f=html"
            geom = (ft.get("geometry") or {}).get("type", "")
            cells = "".join(f"<td>{_value(ft['properties'].get(n))}</td>" for n in names)
            rows.append(f"<tr><td>{_a(href, str(ft['id']))}</td><td>{escape(geom)}</td>{cells}</tr>")
        paging = " ".join(_a(li["href"], li["title"]) for li in doc["links"] if li["rel"] in ("prev", "next"))
        json_link = next((li["href"] for li in doc["links"] if li["rel"] == "alternate"), "")
        body = (
            f"<p>{doc['numberReturned']} van / of {doc['numberMatched']} features &middot; "
            f"{_a(json_link, 'GeoJSON')} &middot; {_a(f'{root}/collections/{collection_id}?f=html', 'collectie')}</p>"
            f'<p class="paging">{paging}</p><table>{head}</tr>{"".join(rows)}</table><p class="paging">{paging}</p>'
        )
        return _page(title, body, root)

    return render


def feature_page(title: str, collection_id: str) -> Page:
    def render(doc: dict[str, Any], root: str) -> str:
        rows = "".join(f"<tr><th>{escape(k)}</th><td>{_value(v)}</td></tr>" for k, v in doc["properties"].items())
        geometry = json.dumps(doc.get("geometry"), ensure_ascii=False)
        body = (
            f"<p>{_a(f'{root}/collections/{collection_id}/items?f=html', title)}</p>"
            f"<table><tr><th>Id</th><td>{escape(str(doc['id']))}</td></tr>{rows}</table>"
            f"<h2>Geometrie / Geometry</h2><pre>{escape(geometry[:5000])}</pre>"
            "<h2>Links</h2>" + _links(doc["links"])
        )
        return _page(f"{title}: {doc['id']}", body, root)

    return render
