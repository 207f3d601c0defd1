"""CSV with a WKT ``geometry`` column (EPSG:28992 unless told otherwise).

Rows are numbered as a spreadsheet shows them: the header is row 1.
The delimiter (``,`` ``;`` or tab, as Dutch Excel writes ``;``) is detected.

Formula injection (OWASP "CSV Injection"): a text value that a spreadsheet
would run as a formula (one starting with ``=``, ``+``, ``-``, ``@``, tab or
carriage return) is written with a leading ``'``, which spreadsheets show as
text. Values that already start with quotes before such a character get one
quote more, and the reader takes exactly one off, so export then import stays
lossless.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import shapely

from openruimte.io._table import RawRow, RawTable, flat_value
from openruimte.io.columns import geometry_column
from openruimte.model.errors import InputError, RowError


def decode(data: bytes, source: str, encoding: str | None) -> str:
    """Text of a file; a file that is not in the expected encoding is refused
    with the line, the byte and the ``--encoding`` to pass."""
    if encoding:
        try:
            return data.decode(encoding)
        except LookupError:
            raise InputError(f"unknown encoding '{encoding}'; try utf-8, cp1252 or latin-1", source) from None
        except UnicodeDecodeError as err:
            line = data[: err.start].count(b"\n") + 1
            raise InputError(
                [RowError(source, f"cannot be read as {encoding}: byte 0x{data[err.start]:02x} at line {line}")]
            ) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        guess = _guess_encoding(data)
        raise InputError(
            [
                RowError(
                    source,
                    f"the file is not UTF-8 (byte 0x{data[err.start]:02x} at line {line}); "
                    f"it looks like {guess}: pass --encoding {guess}",
                )
            ]
        ) from None


def _guess_encoding(data: bytes) -> str:
    for candidate in ("utf-16", "cp1252", "latin-1"):
        if candidate == "utf-16" and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
            continue
        try:
            data.decode(candidate)
            return candidate
        except UnicodeDecodeError:
            continue
    return "latin-1"


def _delimiter(header: str) -> str:
    counts = {d: header.count(d) for d in (";", ",", "\t")}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


#: a text value a spreadsheet would evaluate, possibly behind quotes we added before
_FORMULA = re.compile(r"^'*[=+\-@\t\r]")


def neutralise(value: Any) -> Any:
    """A text value made safe to open in a spreadsheet (numbers and the rest unchanged)."""
    if isinstance(value, str) and _FORMULA.match(value):
        return "'" + value
    return value


def restore(cell: str) -> str:
    """The value :func:`neutralise` wrote: one leading quote off a neutralised formula."""
    if cell.startswith("'") and _FORMULA.match(cell):
        return cell[1:]
    return cell


def read_table(path: Path, *, crs: str, encoding: str | None = None, **_: Any) -> RawTable:
    source = path.name
    data = path.read_bytes()
    if not data.strip():
        raise InputError("the file is empty: expected a header row and at least one row", source)
    text = decode(data, source, encoding)
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:  # nothing after decoding (a byte-order mark alone)
        raise InputError("the file is empty: expected a header row and at least one row", source) from None
    except csv.Error as err:
        raise InputError(f"cannot read the header row: {err}", source) from None
    table = RawTable(source=source, row_label="row", columns=header, rows=[], crs=crs)
    geom_col = geometry_column(header)
    if geom_col is None:
        table.errors.append(
            RowError(source, f"no geometry column; expected a WKT column 'geometry' (columns: {', '.join(header)})")
        )
        return table
    blanks = {i for i, h in enumerate(header) if not h}
    try:
        for cells in reader:
            number = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(cells) > len(header):
                table.errors.append(
                    RowError(
                        source,
                        f"{len(cells)} cells but the header has {len(header)}; is a value with the delimiter unquoted?",
                        number,
                    )
                )
                continue
            values = {h: restore(c) for i, (h, c) in enumerate(zip(header, cells, strict=False)) if i not in blanks}
            wkt = values.pop(geom_col, "")
            row = RawRow(number=number, values=values)
            if wkt and wkt.strip():
                try:
                    row.geometry = shapely.from_wkt(wkt.strip())
                except shapely.errors.GEOSException as err:
                    row.geometry_error = f"cannot read WKT '{wkt[:40]}': {err}"
            table.rows.append(row)
    except csv.Error as err:
        raise InputError([RowError(source, f"broken CSV: {err}", reader.line_num)]) from None
    if not table.rows:
        table.errors.append(RowError(source, "the file has a header but no rows"))
    return table


def write_table(path: Path, keys: list[str], records: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([*keys, "geometry"])
        for rec in records:
            cells = [neutralise(flat_value(rec.get(k))) for k in keys]
            geom = rec.get("geometry")
            wkt = shapely.to_wkt(geom, rounding_precision=3, trim=True) if geom is not None else ""
            writer.writerow(["" if c is None else c for c in cells] + [wkt])
