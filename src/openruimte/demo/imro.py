"""The demo's bestemmingsplan: a small IMRO2012 GML file for Voorbeeldstad (deterministic).

Around each demo building site (services/bim.py ``demo_sites``) it draws an Enkelbestemming
"Wonen" (the site plus 8 m), a Bouwvlak and two Maatvoeringen: on the bouwvlak the maximum
bouwhoogte and goothoogte (the building's height plus 1 m) and the maximum aantal bouwlagen (its
storeys), on the bestemmingsvlak a maximum bebouwingspercentage of 60 %. The second site's bouwvlak
stops 1.5 m short of its building's far end, so its check fails on exactly that: a new user sees a
pass and a fail. Written in the IMRO2012 encoding of the Geonovum examples (``WaardeEnType``),
imported by the same importer as a real plan (``openruimte import rules``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import shapely
from shapely import affinity

PLAN_ID = "NL.IMRO.9999.BPvoorbeeldstad-0001"
#: how far the second site's building reaches past its bouwvlak (m)
SHORT_M = 1.5


@dataclass(frozen=True)
class Site:
    """A building site: the block's corner, size, rotation (degrees about the corner) and storeys."""

    eastings: float
    northings: float
    width_m: float
    depth_m: float
    rotation_deg: float
    storeys: int
    storey_height_m: float = 3.0

    def rect(self, x0: float, y0: float, x1: float, y1: float) -> shapely.Polygon:
        """A rectangle in the block's own coordinates, placed on the map."""
        box = affinity.rotate(shapely.box(x0, y0, x1, y1), self.rotation_deg, origin=(0, 0), use_radians=False)
        return affinity.translate(box, self.eastings, self.northings)


def _poslist(poly: shapely.Polygon) -> str:
    ring = shapely.geometry.polygon.orient(poly, 1.0).exterior.coords
    return " ".join(f"{x:.3f} {y:.3f}" for x, y in ring)


def _surface(gid: str, poly: shapely.Polygon) -> str:
    return (
        f'<imro:geometrie><gml:Surface gml:id="{gid}" srsName="urn:ogc:def:crs:EPSG::28992"><gml:patches>'
        f"<gml:PolygonPatch><gml:exterior><gml:LinearRing><gml:posList>{_poslist(poly)}</gml:posList>"
        "</gml:LinearRing></gml:exterior></gml:PolygonPatch></gml:patches></gml:Surface></imro:geometrie>"
    )


def _ident(local: str) -> str:
    return (
        "<imro:identificatie><imro:NEN3610ID><imro:namespace>NL.IMRO</imro:namespace>"
        f"<imro:lokaalID>{escape(local)}</imro:lokaalID></imro:NEN3610ID></imro:identificatie>"
    )


def _member(body: str) -> str:
    return f"<imro:featureMember>{body}</imro:featureMember>\n"


def bestemmingsplan(sites: list[Site]) -> str:
    """The GML text of the demo plan for ``sites``."""
    plan_local = PLAN_ID.removeprefix("NL.IMRO.")
    members = []
    vlakken = []
    for i, s in enumerate(sites, start=1):
        building = s.rect(0, 0, s.width_m, s.depth_m)
        vlak = building.buffer(8.0, join_style="mitre")
        far = s.width_m + 1.0 if i == 1 else s.width_m - SHORT_M
        bouwvlak = s.rect(-1.0, -1.0, far, s.depth_m + 1.0)
        height = round(s.storeys * s.storey_height_m + 1.0, 2)
        ids = {k: f"NL.IMRO.vs{i}{k}" for k in ("b", "v", "m", "p")}
        vlakken.append(vlak)
        members.append(
            _member(
                f'<imro:Enkelbestemming gml:id="{ids["b"]}">{_ident(f"vs{i}b")}'
                "<imro:typePlanobject>enkelbestemming</imro:typePlanobject>"
                "<imro:naam>Wonen</imro:naam><imro:bestemmingshoofdgroep>wonen</imro:bestemmingshoofdgroep>"
                f"<imro:artikelnummer>{i + 2}</imro:artikelnummer>{_surface(f'g{i}b', vlak)}"
                f'<imro:plangebied xlink:href="#{PLAN_ID}"/></imro:Enkelbestemming>'
            )
        )
        members.append(
            _member(
                f'<imro:Bouwvlak gml:id="{ids["v"]}">{_ident(f"vs{i}v")}'
                "<imro:typePlanobject>bouwvlak</imro:typePlanobject>"
                f'<imro:plangebied xlink:href="#{PLAN_ID}"/><imro:bestemmingsvlak xlink:href="#{ids["b"]}"/>'
                f"<imro:naam>bouwvlak</imro:naam>{_surface(f'g{i}v', bouwvlak)}</imro:Bouwvlak>"
            )
        )
        values = (
            (f"{height:g}", "maximum goothoogte (m)"),
            (f"{height:g}", "maximum bouwhoogte (m)"),
            (str(s.storeys), "maximum aantal bouwlagen"),
        )
        info = "".join(
            f"<imro:maatvoeringInfo><imro:WaardeEnType><imro:waarde>{v}</imro:waarde>"
            f"<imro:waardeType>{t}</imro:waardeType></imro:WaardeEnType></imro:maatvoeringInfo>"
            for v, t in values
        )
        members.append(
            _member(
                f'<imro:Maatvoering gml:id="{ids["m"]}">{_ident(f"vs{i}m")}'
                "<imro:typePlanobject>maatvoering</imro:typePlanobject>"
                f'<imro:plangebied xlink:href="#{PLAN_ID}"/><imro:bestemmingsvlak xlink:href="#{ids["b"]}"/>'
                f"<imro:naam>maatvoering</imro:naam>{info}{_surface(f'g{i}m', bouwvlak)}</imro:Maatvoering>"
            )
        )
        members.append(
            _member(
                f'<imro:Maatvoering gml:id="{ids["p"]}">{_ident(f"vs{i}p")}'
                "<imro:typePlanobject>maatvoering</imro:typePlanobject>"
                f'<imro:plangebied xlink:href="#{PLAN_ID}"/><imro:bestemmingsvlak xlink:href="#{ids["b"]}"/>'
                "<imro:naam>maatvoering</imro:naam><imro:maatvoeringInfo><imro:WaardeEnType>"
                "<imro:waarde>60</imro:waarde><imro:waardeType>maximum bebouwingspercentage (%)</imro:waardeType>"
                f"</imro:WaardeEnType></imro:maatvoeringInfo>{_surface(f'g{i}p', vlak)}</imro:Maatvoering>"
            )
        )
    gebied = shapely.union_all(vlakken).envelope.buffer(10.0, join_style="mitre") if vlakken else None
    head = (
        f'<imro:Bestemmingsplangebied gml:id="{PLAN_ID}">{_ident(plan_local.split("-")[0])}'
        "<imro:typePlan>bestemmingsplan</imro:typePlan>"
        "<imro:beleidsmatigVerantwoordelijkeOverheid>gemeentelijke overheid"
        "</imro:beleidsmatigVerantwoordelijkeOverheid>"
        "<imro:naamOverheid>Voorbeeldstad</imro:naamOverheid><imro:overheidsCode>9999</imro:overheidsCode>"
        "<imro:naam>Bestemmingsplan Voorbeeldstad Woningbouw</imro:naam>"
        "<imro:planstatusInfo><imro:PlanstatusEnDatum><imro:planstatus>vastgesteld</imro:planstatus>"
        "<imro:datum>2026-01-01</imro:datum></imro:PlanstatusEnDatum></imro:planstatusInfo>"
        + (_surface("g0", gebied) if gebied is not None else "")
        + "</imro:Bestemmingsplangebied>"
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<imro:FeatureCollectionIMRO gml:id="Collectie" xmlns:imro="http://www.geonovum.nl/imro/2012/1.0" '
        'xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:gml="http://www.opengis.net/gml/3.2">\n'
        + _member(head)
        + "".join(members)
        + "</imro:FeatureCollectionIMRO>\n"
    )


def write_bestemmingsplan(path: str | Path, sites: list[Site]) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(bestemmingsplan(sites), encoding="utf-8")
    return path
