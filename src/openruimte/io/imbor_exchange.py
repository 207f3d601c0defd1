"""IMBOR exchange files read as such (CROW's flat layout for area data).

An asset file in IMBOR exchange layout has, per object, the IMBOR class as a
URI (``IMBOR_URI``), the object's id (``identificatie``) and name
(``objectnaam``); the managing organisation may be an IMBOR domain-value URI;
relations between objects are rows without a geometry that name
``identificatieA``, ``relatieURI`` and ``identificatieB``. Read here:

* the IMBOR class sets ``imbor_type`` (its label) and, through the vocabulary and
  the BGT alignment, the asset type (the BGT class and type value that align
  with the IMBOR class, or with one of its parent classes); the class URI is
  kept in ``attributes['imbor_uri']``;
* ``identificatie`` is the id and ``objectnaam`` the name;
* an owner given as a URI is no organisation code: ``--owner`` takes its place,
  and the import says so; without ``--owner`` the rows are refused with that fix;
* relation rows are counted and reported as skipped (relations between assets
  are not stored), never as failed objects.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from openruimte.io._table import RawTable
from openruimte.io.columns import _normal
from openruimte.model.errors import RowError

#: the column that marks the layout, in the spellings seen
CLASS_COLUMNS = ("imbor_uri", "imboruri", "fysiekobjecturi", "imbor_klasse_uri")
_ID = ("identificatie", "identificatie_lokaalid", "lokaalid")
_NAME = ("objectnaam", "naam")
_OWNER = ("beheerder", "eigenaar", "owner", "beheerderuri", "eigenaaruri")
_RELATION = ("identificatiea", "relatieuri", "identificatieb")


def is_imbor_exchange(columns: list[str]) -> bool:
    return any(_normal(c) in CLASS_COLUMNS for c in columns)


def asset_types_by_imbor(vocabulary: Any) -> dict[str, str]:
    """IMBOR class URI -> asset type: the classes the BGT alignment gives for the
    (BGT class, type value) pairs that have an asset type."""
    from openruimte.io.bgt import BGT_ASSET_TYPES, IMBOR_HINTS

    out: dict[str, str] = {}
    for (bgt_class, value), asset_type in BGT_ASSET_TYPES.items():
        if asset_type is None:
            continue
        match = vocabulary.match_bgt(bgt_class, [value] if value else [], IMBOR_HINTS)
        if match is not None:
            out.setdefault(match.imbor.uri, asset_type)
    return out


def read_imbor_exchange(table: RawTable, vocabulary: Any, owner: str | None) -> None:
    """Rewrite an IMBOR exchange ``table`` in place into exchange keys (see the module);
    problems go to ``table.errors``, what was set aside to ``table.warnings``."""
    if vocabulary is None:
        table.errors.append(
            RowError(
                table.source,
                "an IMBOR exchange file (it has an IMBOR_URI column) needs the IMBOR vocabulary to know "
                "its classes: pass --imbor DIR (the folder that holds crow-imbor2022/) or set OPENRUIMTE_IMBOR_DIR",
            )
        )
        return
    by_norm = {_normal(c): c for c in table.columns}
    column = next(by_norm[k] for k in CLASS_COLUMNS if k in by_norm)
    id_col = next((by_norm[k] for k in _ID if k in by_norm), None)
    name_col = next((by_norm[k] for k in _NAME if k in by_norm), None)
    owner_col = next((by_norm[k] for k in _OWNER if k in by_norm), None)
    relation_cols = [by_norm.get(k) for k in _RELATION]
    types = asset_types_by_imbor(vocabulary)
    relations: Counter[str] = Counter()
    owner_uris: Counter[str] = Counter()
    kept = []  # the object rows that read well
    for row in table.rows:
        values = row.values
        if row.geometry is None and relation_cols[0] and values.get(relation_cols[0]) not in (None, ""):
            relations[str(values.get(relation_cols[1]) or "?")] += 1
            continue
        uri = str(values.pop(column, "") or "").strip()
        found = vocabulary.get(uri) if uri else None
        if found is None:
            message = f"'{uri}' is not an IMBOR class of the vocabulary" if uri else "no IMBOR class (IMBOR_URI empty)"
            table.errors.append(RowError(table.source, message, row.number, column, uri or None, table.row_label))
            continue
        asset_type = _asset_type(found, vocabulary, types)
        if asset_type is None:
            table.errors.append(
                RowError(
                    table.source,
                    f"IMBOR class '{found.label}' has no asset type (no BGT class aligns with it or its parents); "
                    "map it with --map asset_type=const:TYPE or from:COLUMN:TABLE.csv",
                    row.number,
                    column,
                    uri,
                    table.row_label,
                )
            )
            continue
        new = {k: v for k, v in values.items() if k not in (id_col, name_col, owner_col)}
        new["id"] = values.get(id_col) if id_col else None
        new["name"] = values.get(name_col) if name_col else None
        new["asset_type"] = asset_type
        new["imbor_type"] = found.label
        new["imbor_uri"] = found.uri
        given = str(values.get(owner_col) or "").strip() if owner_col else ""
        if given.lower().startswith(("http://", "https://")):
            owner_uris[given] += 1
            if owner is None:
                table.errors.append(
                    RowError(
                        table.source,
                        f"the owner is an IMBOR domain value ({given}), not an organisation code; "
                        "pass --owner CODE for the organisation that manages these objects",
                        row.number,
                        owner_col,
                        given,
                        table.row_label,
                    )
                )
                continue
            new["owner"] = owner
        elif given:
            new["owner"] = given
        row.values = new
        kept.append(row)  # rows with an error above are reported once, not again by the model
    table.rows = kept
    table.columns = [c for c in table.columns if c not in (column, id_col, name_col, owner_col)]
    table.columns += ["id", "name", "asset_type", "imbor_type", "imbor_uri", "owner"]
    if owner_uris and owner is not None:
        listed = ", ".join(f"{u} ({n})" for u, n in owner_uris.most_common(3))
        table.warnings.append(
            f"{table.source}: {sum(owner_uris.values())} object(s) name their owner as an IMBOR domain value "
            f"({listed}); stored as --owner {owner}"
        )
    if relations:
        listed = ", ".join(f"{r} {n}" for r, n in relations.most_common(5))
        table.warnings.append(
            f"{table.source}: {sum(relations.values())} relation row(s) between objects (identificatieA, "
            f"relatieURI, identificatieB) skipped: relations are not stored ({listed})"
        )


def _asset_type(found: Any, vocabulary: Any, types: dict[str, str]) -> str | None:
    """The asset type of an IMBOR class, or of its nearest parent that has one."""
    todo, seen = [found.uri], set()
    while todo:
        uri = todo.pop(0)
        if uri in types:
            return types[uri]
        if uri in seen:
            continue
        seen.add(uri)
        parent = vocabulary.get(uri)
        if parent is not None:
            todo.extend(parent.parents)
    return None
