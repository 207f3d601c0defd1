"""Clearance: does a design keep its distance from the cables, pipes and trees around it?

A :class:`Design` (a trench of a plan, a building of a model or a plan volume) is checked
against :class:`Underground` objects (cables and pipes from an IMKL delivery, other plans that
dig, trees) with a :class:`DistanceTable` of minimum horizontal and vertical distances per
network class (``rules/data/clearance.yaml``: the defaults, their basis and their sources).

Definitions (README "Clearance"):

horizontal distance
    least distance in plan between the design's outline and the outside of the object (a cable's
    axis minus half its diameter where the diameter is known; a tree's stem centre);
vertical distance
    the object's top (a cable's stated depth) below the design's bottom (a trench's bottom, a
    building's foundation); negative when the object's top lies above that bottom, i.e. within the
    depth the design digs or builds to;
passes
    when the horizontal distance is at least the required one, or the vertical distance is at least
    the required one (where the table gives one: depth never helps a building over a cable, nor a
    tree's roots).

Every number in a :class:`Result` says where it comes from (``sources``): a measured depth or the
operator's standard depth or the table's, a crown diameter or a size class default, the table row.

Pure: imports only shapely, numpy and yaml; runs on a city's assets with one STRtree query.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import shapely
import yaml
from shapely.geometry.base import BaseGeometry

from openruimte.model import OpenRuimteError

#: the network classes of the table, in order
NETWORK_CLASSES = (
    "elektriciteit_ls",
    "elektriciteit_ms",
    "elektriciteit_hs",
    "gas_ld",
    "gas_hd",
    "gas_transport",
    "drinkwater",
    "riolering",
    "warmte",
    "telecom",
)
TREE = "bomen"
BASES = ("norm", "guidance", "convention")

#: asset types of the vocabulary -> network class (electricity and gas refined by theme, voltage, pressure)
ASSET_CLASSES: dict[str, str] = {
    "elektriciteit": "elektriciteit_ls",
    "openbare_verlichting": "elektriciteit_ls",
    "verkeersregeling": "elektriciteit_ls",
    "gas": "gas_ld",
    "drinkwater": "drinkwater",
    "hemelwaterafvoer": "riolering",
    "droogweerafvoer": "riolering",
    "gemengd_riool": "riolering",
    "drainage": "riolering",
    "overstort": "riolering",
    "warmte": "warmte",
    "telecom": "telecom",
}
#: IMKL network themes -> network class
THEME_CLASSES: dict[str, str] = {
    "laagspanning": "elektriciteit_ls",
    "middenspanning": "elektriciteit_ms",
    "hoogspanning": "elektriciteit_hs",
    "landelijkHoogspanningsnet": "elektriciteit_hs",
    "gasLageDruk": "gas_ld",
    "gasHogeDruk": "gas_hd",
    "buisleidingGevaarlijkeInhoud": "gas_transport",
    "petrochemie": "gas_transport",
    "water": "drinkwater",
    "rioolVrijverval": "riolering",
    "rioolOnderOverOfOnderdruk": "riolering",
    "warmte": "warmte",
    "datatransport": "telecom",
}
#: a voltage (V) up to the key is the class (IEC: low voltage up to 1 kV; Dutch MS up to ~ 50 kV)
VOLTAGE_CLASSES = ((1_000.0, "elektriciteit_ls"), (50_000.0, "elektriciteit_ms"))
#: a gas pressure (bar) up to the key is the class (LD up to 100 mbar; regional HD up to 16 bar)
PRESSURE_CLASSES = ((0.2, "gas_ld"), (16.0, "gas_hd"))

_CROWN_KEYS = ("crown_diameter_m", "kroondiameter_m", "kroondiameter", "crown_diameter")
_HEIGHT_KEYS = ("height_m", "boomhoogte_m", "boomhoogte", "hoogte_m")
_CLASS_KEYS = ("boomhoogteklasse", "boomhoogteklasse_eindbeeld", "tree_size_class", "hoogteklasse")


class DistanceError(OpenRuimteError):
    """A distance table that cannot be used (the message names the file, the entry and the fix)."""

    code = "invalid_distances"
    status = 422


# --------------------------------------------------------------------------- the table


@dataclass(frozen=True, slots=True)
class Requirement:
    """Minimum distances with where they come from."""

    horizontal_m: float
    vertical_m: float | None
    basis: str
    source: str
    name: str

    def describe(self) -> str:
        return f"{self.name} ({self.basis}): {self.source}"


@dataclass(frozen=True, slots=True)
class SizeClass:
    up_to_height_m: float | None
    crown_diameter_m: float
    label: str


@dataclass(frozen=True)
class DistanceTable:
    """The minimum distances per network class, pairs, buildings and trees (see the YAML)."""

    networks: dict[str, Requirement]
    standard_depth_m: dict[str, float]
    labels: dict[str, str]
    pairs: dict[tuple[str, str], Requirement]
    building: Requirement
    foundation_depth_m: float
    tree_margin_m: float
    tree_min_distance_m: float
    tree_basis: str
    tree_source: str
    size_classes: tuple[SizeClass, ...]
    default_crown_diameter_m: float
    size_basis: str
    size_source: str
    origin: tuple[str, ...] = ("package default",)

    def requirement(self, design_network: str | None, design_kind: str, other: str) -> Requirement:
        """The row that applies to a design (its network, its kind) against an object's network class."""
        if design_network is not None:
            pair = self.pairs.get((design_network, other)) or self.pairs.get((other, design_network))
            if pair is not None:
                return pair
        row = self.networks[other]
        if design_kind == "building":
            b = self.building
            return Requirement(max(b.horizontal_m, row.horizontal_m), None, b.basis, b.source, f"building vs {other}")
        if design_network is not None and design_network in self.networks:
            # two networks: the stricter of the two rows (each network asks its own room)
            mine = self.networks[design_network]
            if mine.horizontal_m > row.horizontal_m:
                return mine
        return row

    def to_json(self) -> dict[str, Any]:
        return {
            "origin": list(self.origin),
            "networks": {
                k: {
                    "label": self.labels.get(k),
                    "horizontal_m": r.horizontal_m,
                    "vertical_m": r.vertical_m,
                    "standard_depth_m": self.standard_depth_m.get(k),
                    "basis": r.basis,
                    "source": r.source,
                }
                for k, r in self.networks.items()
            },
            "pairs": [
                {
                    "design": a,
                    "other": b,
                    "horizontal_m": r.horizontal_m,
                    "vertical_m": r.vertical_m,
                    "basis": r.basis,
                    "source": r.source,
                }
                for (a, b), r in self.pairs.items()
            ],  # fmt: skip
            "building": {
                "horizontal_m": self.building.horizontal_m,
                "foundation_depth_m": self.foundation_depth_m,
                "basis": self.building.basis,
                "source": self.building.source,
            },
            "trees": {
                "margin_m": self.tree_margin_m,
                "min_distance_m": self.tree_min_distance_m,
                "basis": self.tree_basis,
                "source": self.tree_source,
                "default_crown_diameter_m": self.default_crown_diameter_m,
            },
        }


def default_document() -> dict[str, Any]:
    """The package's default table as a mapping (``rules/data/clearance.yaml``)."""
    text = resources.files("openruimte.rules").joinpath("data/clearance.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def load_table(*overrides: str | Path | Mapping[str, Any] | None) -> DistanceTable:
    """The default table with each override (a YAML file or a mapping of the same shape) laid over it
    in order: a network entry replaces only the fields it gives; pairs replace pairs of the same two
    networks. Errors name the file, the entry, the field and the fix."""
    doc = default_document()
    origin = ["package default (openruimte/rules/data/clearance.yaml)"]
    for override in overrides:
        if override is None:
            continue
        if isinstance(override, Mapping):
            data, where = dict(override), "distances"
        else:
            path = Path(override)
            where = str(path)
            try:
                data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            except FileNotFoundError:
                raise DistanceError(
                    f"{path}: file not found; give a YAML file with networks/pairs/building/trees"
                ) from None
            except yaml.YAMLError as err:
                raise DistanceError(f"{path}: not valid YAML: {err}") from None
        if not isinstance(data, Mapping):
            raise DistanceError(f"{where}: expected a mapping with networks, pairs, building or trees")
        _merge(doc, data, where)
        origin.append(where)
    return _table(doc, tuple(origin))


def _merge(doc: dict[str, Any], data: Mapping[str, Any], where: str) -> None:
    unknown = sorted(set(data) - {"version", "networks", "pairs", "building", "trees"})
    if unknown:
        raise DistanceError(
            f"{where}: unknown section(s) {', '.join(unknown)}; expected networks, pairs, building or trees"
        )
    for name, entry in (data.get("networks") or {}).items():
        if name not in NETWORK_CLASSES:
            raise DistanceError(
                f"{where}: networks.{name}: unknown network class; expected one of {', '.join(NETWORK_CLASSES)}"
            )
        if not isinstance(entry, Mapping):
            raise DistanceError(f"{where}: networks.{name}: expected a mapping of horizontal_m, vertical_m ...")
        doc["networks"][name] = {**doc["networks"][name], **entry}
    if "pairs" in data:
        pairs = {(p["design"], p["other"]): p for p in doc.get("pairs") or []}
        for i, p in enumerate(data.get("pairs") or []):
            if not isinstance(p, Mapping) or "design" not in p or "other" not in p:
                raise DistanceError(f"{where}: pairs[{i}]: expected design, other, horizontal_m (and vertical_m)")
            pairs[(p["design"], p["other"])] = {**pairs.get((p["design"], p["other"]), {}), **p}
        doc["pairs"] = list(pairs.values())
    for section in ("building", "trees"):
        if section in data:
            if not isinstance(data[section], Mapping):
                raise DistanceError(f"{where}: {section}: expected a mapping")
            doc[section] = {**doc[section], **data[section]}
    for key in ("networks", "building", "trees"):
        for name, entry in ({key: doc[key]} if key != "networks" else doc[key]).items():
            for f, value in entry.items():
                if f.endswith("_m") and value is not None and not _is_distance(value):
                    raise DistanceError(f"{where}: {key}.{name}.{f}: expected a distance in metres >= 0, got {value!r}")


def _is_distance(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and 0 <= float(value) <= 1000


def _req(entry: Mapping[str, Any], name: str, where: str) -> Requirement:
    basis = str(entry.get("basis", "convention"))
    if basis not in BASES:
        raise DistanceError(f"{where}: basis {basis!r}; expected one of {', '.join(BASES)}")
    h = entry.get("horizontal_m")
    if not _is_distance(h):
        raise DistanceError(f"{where}: horizontal_m: expected a distance in metres >= 0, got {h!r}")
    v = entry.get("vertical_m")
    if v is not None and not _is_distance(v):
        raise DistanceError(f"{where}: vertical_m: expected a distance in metres >= 0 or null, got {v!r}")
    return Requirement(
        float(h), None if v is None else float(v), basis, " ".join(str(entry.get("source", "")).split()), name
    )


def _table(doc: Mapping[str, Any], origin: tuple[str, ...]) -> DistanceTable:
    networks = {}
    depths = {}
    labels = {}
    for name in NETWORK_CLASSES:
        entry = doc["networks"].get(name)
        if entry is None:
            raise DistanceError(f"networks.{name}: missing from the table")
        networks[name] = _req(entry, name, f"networks.{name}")
        d = entry.get("standard_depth_m")
        if not _is_distance(d):
            raise DistanceError(f"networks.{name}.standard_depth_m: expected a depth in metres, got {d!r}")
        depths[name] = float(d)
        labels[name] = str(entry.get("label") or name)
    pairs = {}
    for p in doc.get("pairs") or []:
        for side in ("design", "other"):
            if p[side] not in NETWORK_CLASSES:
                raise DistanceError(f"pairs: {side} {p[side]!r}; expected one of {', '.join(NETWORK_CLASSES)}")
        pairs[(p["design"], p["other"])] = _req(p, f"{p['design']} vs {p['other']}", "pairs")
    b = doc["building"]
    t = doc["trees"]
    sizes = []
    for s in t.get("size_classes") or []:
        sizes.append(SizeClass(s.get("up_to_height_m"), float(s["crown_diameter_m"]), str(s.get("label", ""))))
    sizes.sort(key=lambda s: float("inf") if s.up_to_height_m is None else s.up_to_height_m)
    return DistanceTable(
        networks=networks,
        standard_depth_m=depths,
        labels=labels,
        pairs=pairs,
        building=_req(b, "building", "building"),
        foundation_depth_m=float(b.get("foundation_depth_m") or 0.0),
        tree_margin_m=float(t["margin_m"]),
        tree_min_distance_m=float(t["min_distance_m"]),
        tree_basis=str(t.get("basis", "guidance")),
        tree_source=" ".join(str(t.get("source", "")).split()),
        size_classes=tuple(sizes),
        default_crown_diameter_m=float(t["default_crown_diameter_m"]),
        size_basis=str(t.get("size_basis", "convention")),
        size_source=" ".join(str(t.get("size_source", "")).split()),
        origin=origin,
    )


# --------------------------------------------------------------------------- what is checked


@dataclass(frozen=True, slots=True)
class Design:
    """What is being designed: its outline in plan (EPSG:28992) and its depth range below ground.

    ``kind``: ``trench`` (digs from ground level to ``bottom_m``), ``building`` (a volume on the
    ground with its foundation down to ``bottom_m``); ``network``: the network class it lays
    (a heat-network plan: ``warmte``), for the pair rules; ``depth_source`` says where
    ``bottom_m`` comes from.
    """

    key: str
    label: str
    kind: str
    footprint: BaseGeometry
    bottom_m: float
    depth_source: str
    network: str | None = None
    top_m: float = 0.0


@dataclass(frozen=True, slots=True)
class Underground:
    """A cable, pipe, another plan's trench or a tree near a design.

    ``network``: a network class or :data:`TREE`; ``top_m`` / ``bottom_m``: depth range below
    ground level (a cable: its top, and its top plus its diameter); ``radius_m``: half the
    diameter, taken off the horizontal distance (0 when unknown); ``required_m``: for a tree, its
    root zone radius; ``sources``: where each number comes from.
    """

    key: str
    kind: str  # asset | plan | tree
    label: str
    network: str
    geometry: BaseGeometry
    top_m: float | None
    bottom_m: float | None
    radius_m: float = 0.0
    owner: str | None = None
    asset_type: str | None = None
    required_m: float | None = None
    sources: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Result:
    design: str
    other: Underground
    horizontal_m: float
    vertical_m: float | None
    required_horizontal_m: float
    required_vertical_m: float | None
    passed: bool
    line: BaseGeometry  # from the design to the object at their nearest points
    design_depth_source: str
    requirement_source: str

    @property
    def sources(self) -> dict[str, str]:
        """Where every number comes from (built when asked: a city has many pairs)."""
        o = self.other
        out = {
            "design_depth": self.design_depth_source,
            **{f"other_{k}": v for k, v in o.sources.items()},
            "horizontal": "design outline to the object's outside (axis minus half the diameter)"
            if o.radius_m
            else "design outline to the object's axis",
            "requirement": self.requirement_source,
        }
        if o.network != TREE:
            out["vertical"] = (
                "the object's top below the design's bottom; negative: above it, within the dug depth"
                if self.vertical_m is not None
                else "no depth known for the object"
            )
        return out

    def to_json(self) -> dict[str, Any]:
        o = self.other
        return {
            "design": self.design,
            "other": o.key,
            "other_kind": o.kind,
            "other_label": o.label,
            "owner": o.owner,
            "asset_type": o.asset_type,
            "network": o.network,
            "horizontal_m": round(self.horizontal_m, 3),
            "vertical_m": None if self.vertical_m is None else round(self.vertical_m, 3),
            "required_horizontal_m": round(self.required_horizontal_m, 3),
            "required_vertical_m": None if self.required_vertical_m is None else round(self.required_vertical_m, 3),
            "passed": self.passed,
            "sources": self.sources,
        }


# --------------------------------------------------------------------------- objects from assets


def network_class(asset_type: str, attributes: Mapping[str, Any] | None = None) -> tuple[str | None, str]:
    """The network class of an asset and how it was found (IMKL theme, voltage, pressure, or the type)."""
    attributes = attributes or {}
    theme = attributes.get("thema")
    if theme in THEME_CLASSES:
        return THEME_CLASSES[str(theme)], f"IMKL theme {theme}"
    base = ASSET_CLASSES.get(asset_type)
    if base is None:
        return None, ""
    if base == "elektriciteit_ls":
        volts = _number(attributes.get("voltage_v"))
        if volts is not None and volts > 0:
            for limit, name in VOLTAGE_CLASSES:
                if volts <= limit:
                    return name, f"nominal voltage {volts:g} V"
            return "elektriciteit_hs", f"nominal voltage {volts:g} V"
        return base, f"asset type {asset_type} (voltage unknown: taken as low voltage)"
    if base == "gas_ld":
        bar = _number(attributes.get("pressure_bar"))
        if bar is not None and bar > 0:
            for limit, name in PRESSURE_CLASSES:
                if bar <= limit:
                    return name, f"pressure {bar:g} bar"
            return "gas_transport", f"pressure {bar:g} bar"
        return base, f"asset type {asset_type} (pressure unknown: taken as low pressure)"
    return base, f"asset type {asset_type}"


def cable_depth(
    depth_m: float | None, attributes: Mapping[str, Any] | None, network: str, table: DistanceTable
) -> tuple[float, str]:
    """Depth of a cable's top below ground level and which it is: measured, the operator's standard
    depth (IMKL ``standaardDieptelegging``), or the table's standard depth for its network class."""
    if depth_m is not None and depth_m >= 0:
        return float(depth_m), "measured depth (IMKL depth object or the asset's depth_m)"
    standard = _number((attributes or {}).get("standard_depth_m"))
    if standard is not None and standard >= 0:
        return standard, "the operator's standard depth (IMKL standaardDieptelegging)"
    return table.standard_depth_m[network], f"standard depth of the table for {network} (no depth known)"


def underground_of_asset(
    *,
    key: str,
    asset_type: str,
    geometry: BaseGeometry,
    table: DistanceTable,
    depth_m: float | None = None,
    diameter_mm: float | None = None,
    attributes: Mapping[str, Any] | None = None,
    owner: str | None = None,
    label: str | None = None,
) -> Underground | None:
    """A cable, pipe or tree as a clearance object (None for assets that are neither)."""
    attributes = attributes or {}
    if asset_type == "bomen":
        return tree(key=key, geometry=geometry, attributes=attributes, table=table, owner=owner, label=label)
    network, how = network_class(asset_type, attributes)
    if network is None:
        return None
    top, depth_source = cable_depth(depth_m, attributes, network, table)
    diameter = float(diameter_mm) / 1000.0 if diameter_mm and diameter_mm > 0 else None
    width = _number(attributes.get("width_mm"))
    if diameter is None and width:
        diameter = width / 1000.0
    return Underground(
        key=key,
        kind="asset",
        label=label or f"{table.labels.get(network, network)} {key}",
        network=network,
        geometry=geometry,
        top_m=top,
        bottom_m=top + (diameter or 0.0),
        radius_m=(diameter or 0.0) / 2.0,
        owner=owner,
        asset_type=asset_type,
        sources={
            "network": how,
            "depth": depth_source,
            "diameter": "the asset's diameter" if diameter else "diameter unknown: distances to its axis",
        },
    )


def tree(
    *,
    key: str,
    geometry: BaseGeometry,
    attributes: Mapping[str, Any],
    table: DistanceTable,
    owner: str | None = None,
    label: str | None = None,
) -> Underground:
    """A tree with its root zone radius: crown diameter / 2 + margin, at least the minimum distance;
    the crown diameter from the tree's attribute, else from its height or height class, else the default."""
    crown, how = crown_diameter(attributes, table)
    radius = max(crown / 2.0 + table.tree_margin_m, table.tree_min_distance_m)
    return Underground(
        key=key,
        kind="tree",
        label=label or f"boom / tree {key}",
        network=TREE,
        geometry=geometry.centroid if geometry.geom_type != "Point" else geometry,
        top_m=None,
        bottom_m=None,
        owner=owner,
        asset_type="bomen",
        required_m=radius,
        sources={
            "crown_diameter": how,
            "root_zone": (
                f"crown diameter {crown:g} m / 2 + {table.tree_margin_m:g} m, at least {table.tree_min_distance_m:g} m "
                f"({table.tree_basis}): {table.tree_source}"
            ),
        },
    )


def crown_diameter(attributes: Mapping[str, Any], table: DistanceTable) -> tuple[float, str]:
    """A tree's crown diameter (m) and where it comes from."""
    for k in _CROWN_KEYS:
        value = _number(attributes.get(k))
        if value is not None and value > 0:
            return value, f"crown diameter attribute {k} = {value:g} m"
    height, what = None, ""
    for k in _HEIGHT_KEYS:
        value = _number(attributes.get(k))
        if value is not None and value > 0:
            height, what = value, f"height {k} = {value:g} m"
            break
    if height is None:
        for k in _CLASS_KEYS:
            text = attributes.get(k)
            if text:
                numbers = [float(n.replace(",", ".")) for n in re.findall(r"\d+(?:[.,]\d+)?", str(text))]
                if numbers:
                    height, what = sum(numbers[:2]) / len(numbers[:2]), f"height class {k} = {text!r}"
                    break
    if height is not None:
        for size in table.size_classes:
            if size.up_to_height_m is None or height <= size.up_to_height_m:
                return size.crown_diameter_m, (
                    f"no crown diameter: default {size.crown_diameter_m:g} m of size class '{size.label}' from {what} "
                    f"({table.size_basis})"
                )
    return table.default_crown_diameter_m, (
        f"no crown diameter, height or height class: default {table.default_crown_diameter_m:g} m ({table.size_basis})"
    )


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        out = float(str(value).replace(",", ".")) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        return None
    return out if np.isfinite(out) else None


# --------------------------------------------------------------------------- the check


#: objects up to this far beyond the largest required distance are listed too (as clear)
LISTED_BEYOND_M = 1.0


def check(
    designs: Sequence[Design],
    objects: Sequence[Underground],
    table: DistanceTable,
    *,
    beyond_m: float = LISTED_BEYOND_M,
) -> list[Result]:
    """Every (design, object) pair within reach (the largest required horizontal distance plus
    ``beyond_m``), with the horizontal and vertical distance, the requirement and pass/fail. One STRtree
    query for all pairs."""
    if not designs or not objects:
        return []
    geoms = np.array([o.geometry for o in objects], dtype=object)
    radii = np.array([o.radius_m for o in objects])
    needs = [o.required_m or 0.0 for o in objects]
    reach = max([*(r.horizontal_m for r in table.networks.values()), *(r.horizontal_m for r in table.pairs.values()),
                 table.building.horizontal_m, *needs]) + float(radii.max()) + beyond_m  # fmt: skip
    index = shapely.STRtree(geoms)
    outlines = np.array([d.footprint for d in designs], dtype=object)
    d_idx, o_idx = index.query(outlines, predicate="dwithin", distance=reach)
    if len(d_idx) == 0:
        return []
    dist = shapely.distance(outlines[d_idx], geoms[o_idx])
    lines = shapely.shortest_line(outlines[d_idx], geoms[o_idx])
    horizontal = np.maximum(dist - radii[o_idx], 0.0)
    requirements: dict[tuple[str | None, str, str], tuple[Requirement, str]] = {}
    out = []
    for k, (i, j) in enumerate(zip(d_idx.tolist(), o_idx.tolist(), strict=True)):
        design, other = designs[i], objects[j]
        if design.key == other.key:
            continue
        h = float(horizontal[k])
        if other.network == TREE:
            need = float(other.required_m or 0.0)
            out.append(Result(design.key, other, h, None, need, None, h >= need - 1e-9, lines[k],
                              design.depth_source, other.sources.get("root_zone", "")))  # fmt: skip
            continue
        rk = (design.network, design.kind, other.network)
        if rk not in requirements:
            found = table.requirement(*rk)
            requirements[rk] = (found, found.describe())
        req, text = requirements[rk]
        v = _gap(design.top_m, design.bottom_m, other.top_m, other.bottom_m)
        passed = h >= req.horizontal_m - 1e-9 or (
            req.vertical_m is not None and v is not None and v >= req.vertical_m - 1e-9
        )
        out.append(Result(design.key, other, h, v, req.horizontal_m, req.vertical_m, passed, lines[k],
                          design.depth_source, text))  # fmt: skip
    # conflicts first, then per design by distance (numpy: a city has many pairs)
    order = np.lexsort(
        (
            np.fromiter((r.horizontal_m for r in out), float, len(out)),
            np.fromiter((r.design for r in out), dtype=object, count=len(out)).astype(str),
            np.fromiter((r.passed for r in out), bool, len(out)),
        )
    )
    return [out[i] for i in order.tolist()]


def _gap(a_top: float, a_bottom: float, b_top: float | None, b_bottom: float | None) -> float | None:
    """Vertical distance (m): the object's top below the design's bottom; negative when the object's top
    lies above the design's bottom (within the depth the design digs or builds to); None without a depth.
    A design that does not reach the ground (``a_top`` below the object) counts the gap above it."""
    if b_top is None:
        return None
    b_bottom = b_top if b_bottom is None else b_bottom
    if a_top > 0 and a_top >= b_bottom:
        return a_top - b_bottom
    return b_top - a_bottom


def summary(results: Iterable[Result]) -> dict[str, Any]:
    results = list(results)
    failed = [r for r in results if not r.passed]
    by_network: dict[str, int] = {}
    for r in failed:
        by_network[r.other.network] = by_network.get(r.other.network, 0) + 1
    return {"checked": len(results), "conflicts": len(failed), "by_network": by_network}


__all__ = [
    "Design",
    "DistanceError",
    "DistanceTable",
    "Requirement",
    "Result",
    "Underground",
    "cable_depth",
    "check",
    "crown_diameter",
    "load_table",
    "network_class",
    "summary",
    "tree",
    "underground_of_asset",
]
