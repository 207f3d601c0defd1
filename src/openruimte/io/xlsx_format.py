"""XLSX (Excel) with a WKT ``geometry`` column; row numbers are Excel's."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import shapely

from openruimte.io._table import RawRow, RawTable
from openruimte.io.columns import geometry_column
from openruimte.model.errors import InputError, RowError

#: Excel's limit for one cell
_CELL_MAX = 32_767


def _sheet(wb: Any, layer: str | None, kind_name: str, source: str) -> Any:
    names = wb.sheetnames
    if layer:
        if layer not in names:
            raise InputError(f"no sheet '{layer}'; the workbook has sheets: {', '.join(names)}", source)
        return wb[layer]
    for candidate in (kind_name, {"plans": "plannen", "assets": "assets", "policy": "beleid"}.get(kind_name)):
        if candidate and candidate in names:
            return wb[candidate]
    return wb[names[0]]


def read_table(path: Path, *, crs: str, layer: str | None = None, kind_name: str = "", **_: Any) -> RawTable:
    import openpyxl  # heavy: imported where used

    source = path.name
    if path.stat().st_size == 0:
        raise InputError("the file is empty: expected an Excel workbook (.xlsx)", source)
    if not zipfile.is_zipfile(path):
        raise InputError(
            "not an Excel .xlsx workbook (an .xlsx file is a zip archive); save it as .xlsx or CSV", source
        )
    try:
        # a file object: openpyxl refuses paths whose extension is not .xlsx
        wb = openpyxl.load_workbook(io.BytesIO(path.read_bytes()), read_only=True, data_only=False)
    except Exception as err:  # openpyxl raises many kinds for broken files
        raise InputError(f"cannot open the workbook: {err}", source) from None
    try:
        ws = _sheet(wb, layer, kind_name, source)
        rows = ws.iter_rows()
        header_cells = next(rows, None)
        if header_cells is None:
            raise InputError(f"sheet '{ws.title}' is empty: expected a header row and at least one row", source)
        header = [str(c.value).strip() if c.value is not None else "" for c in header_cells]
        table = RawTable(source=source, row_label="row", columns=[h for h in header if h], rows=[], crs=crs)
        geom_col = geometry_column(header)
        if geom_col is None:
            table.errors.append(
                RowError(
                    source,
                    "no geometry column; expected a WKT column 'geometry' "
                    f"(columns: {', '.join(h for h in header if h)})",
                )
            )
            return table
        for cells in rows:
            if all(c.value is None or (isinstance(c.value, str) and not c.value.strip()) for c in cells):
                continue
            number = cells[0].row
            values: dict[str, Any] = {}
            for h, cell in zip(header, cells, strict=False):
                if not h:
                    continue
                if cell.data_type == "f":
                    table.errors.append(
                        RowError(
                            source,
                            f"cell {cell.coordinate} holds a formula '{cell.value}'; paste it as values "
                            "(Paste Special > Values) and save again",
                            number,
                            h,
                            cell.value,
                        )
                    )
                    continue
                values[h] = cell.value
            wkt = values.pop(geom_col, None)
            row = RawRow(number=number, values=values)
            if isinstance(wkt, str) and wkt.strip():
                try:
                    row.geometry = shapely.from_wkt(wkt.strip())
                except shapely.errors.GEOSException as err:
                    row.geometry_error = f"cannot read WKT '{wkt[:40]}': {err}"
            table.rows.append(row)
        if not table.rows and not table.errors:
            table.errors.append(RowError(source, f"sheet '{ws.title}' has a header but no rows"))
        return table
    finally:
        wb.close()


def _cell(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, shapely.Geometry):
        return shapely.to_wkt(value, rounding_precision=3, trim=True)
    if isinstance(value, (list, tuple)):
        return ";".join(str(v) for v in value) if value else None
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str) if value else None
    if isinstance(value, dt.date):
        return value
    return value


def write_table(path: Path, keys: list[str], records: list[dict[str, Any]], sheet: str = "data") -> None:
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet(sheet)
    ws.append([*keys, "geometry"])
    for rec in records:
        geom = rec.get("geometry")
        wkt = shapely.to_wkt(geom, rounding_precision=3, trim=True) if geom is not None else None
        if wkt is not None and len(wkt) > _CELL_MAX:
            raise InputError(
                f"feature {rec.get('id')}: its geometry has {len(wkt)} characters of WKT, "
                "more than an Excel cell holds "
                f"({_CELL_MAX}); export to GeoPackage instead",
                path.name,
            )
        ws.append([_text_cell(ws, _cell(rec.get(k))) for k in keys] + [wkt])
    wb.save(path)


def _text_cell(ws: Any, value: Any) -> Any:
    """Text that starts with '=' stays text (openpyxl would write it as a formula)."""
    if isinstance(value, str) and value.startswith("="):
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(ws, value=value)
        cell.data_type = "s"
        return cell
    return value
