"""Column mapping: a file with its own columns imported without editing it.

A mapping says, per exchange key, where its value comes from::

    --map id=OBJECTID                      a column of the file
    --map asset_type=const:lichtmast       the same value for every row
    --map 'id={STRAAT}-{MASTNUMMER}'       a template of columns (an id made of several)
    --map asset_type=from:TYPE:types.csv   the file's own codes through a table
                                           (CSV: the file's code, our value)
    --map 'asset_type=from:TYPE:LM=openbare_verlichting,SP=speelvoorziening'
                                           the same table given inline

or the same in a YAML file (``--mapping FILE``)::

    id: "{STRAAT}-{MASTNUMMER}"
    install_year: BOUWJAAR
    owner: const:gemeente-x
    asset_type:
      from: TYPE
      values: {LM: lichtmast, BK: bank}

Mapped keys replace the file's own columns for those keys; the file's other
columns are read as before (exchange keys, Dutch names, asset attributes). A
source column the file does not have is an error naming the columns it has; a
code the value table does not know is an error on that row.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openruimte.io._table import RawTable
from openruimte.io.columns import Kind, _normal
from openruimte.model.errors import InputError, RowError

_TEMPLATE_FIELD = re.compile(r"\{([^{}]+)\}")


@dataclass(frozen=True, slots=True)
class Source:
    """Where one exchange key's value comes from."""

    key: str
    column: str | None = None
    const: str | None = None
    template: str | None = None
    values: dict[str, str] | None = None

    def columns(self) -> list[str]:
        if self.template is not None:
            return _TEMPLATE_FIELD.findall(self.template)
        return [self.column] if self.column is not None else []

    def describe(self) -> str:
        if self.const is not None:
            return f"const:{self.const}"
        if self.template is not None:
            return self.template
        if self.values is not None:
            return f"from:{self.column} ({len(self.values)} codes)"
        return str(self.column)

    def value(self, row: dict[str, Any]) -> tuple[Any, str | None]:
        """The value for a row, or None and why it has none."""
        if self.const is not None:
            return self.const, None
        if self.template is not None:
            parts = {name: row.get(name) for name in self.columns()}
            empty = [name for name, v in parts.items() if v in (None, "")]
            if empty:
                return None, f"{', '.join(empty)} empty, needed for {self.template}"
            return _TEMPLATE_FIELD.sub(lambda m: _text(parts[m.group(1)]), self.template), None
        raw = row.get(self.column or "")
        if self.values is None or raw in (None, ""):
            return raw, None
        code = _text(raw)
        if code in self.values:
            return self.values[code], None
        known = ", ".join(sorted(self.values)[:12])
        return None, f"code '{code}' of column {self.column} is not in the value table ({known})"


@dataclass(slots=True)
class ColumnMapping:
    """Exchange key -> :class:`Source`, in the order given."""

    sources: dict[str, Source] = field(default_factory=dict)

    @classmethod
    def parse(
        cls, specs: list[str] | None = None, file: str | Path | None = None, *, files: bool = True
    ) -> ColumnMapping | None:
        """The mapping of ``--mapping FILE`` and ``--map KEY=...`` (the latter win); None when neither.
        ``files=False`` (the API) refuses specs that name a file on this machine."""
        mapping = cls()
        if file is not None:
            mapping.sources.update(_from_yaml(Path(file)))
        for spec in specs or ():
            source = _from_spec(spec, files=files)
            mapping.sources[source.key] = source
        return mapping if mapping.sources else None

    def apply(self, table: RawTable, kind: Kind) -> None:
        """Rewrite ``table`` in place: mapped keys become columns named by the key,
        the file's own columns for those keys are set aside. Problems go to
        ``table.errors`` (a missing source column once, a row's missing value per row)."""
        unknown = [k for k in self.sources if k not in kind.keys and not kind.keeps_attributes]
        if unknown:
            table.errors.append(
                RowError(
                    table.source,
                    f"--map {unknown[0]}: not a key of {kind.name}; the keys are {', '.join(kind.keys)}",
                )
            )
            return
        missing = sorted({c for s in self.sources.values() for c in s.columns() if c not in table.columns})
        if missing:
            table.errors.append(
                RowError(
                    table.source,
                    f"--map names column(s) {', '.join(missing)} that the file does not have; "
                    f"its columns are: {', '.join(table.columns)}",
                )
            )
            return
        replaced = {c for c in table.columns if _key_of(c, kind) in self.sources}
        for row in table.rows:
            values = {c: v for c, v in row.values.items() if c not in replaced}
            for key, source in self.sources.items():
                value, problem = source.value(row.values)
                if problem is not None:
                    table.errors.append(RowError(table.source, problem, row.number, key, None, table.row_label))
                values[key] = value
            row.values = values
        table.columns = [c for c in table.columns if c not in replaced] + [
            k for k in self.sources if k not in table.columns
        ]
        used = {c for s in self.sources.values() for c in s.columns()}
        if replaced - used:
            table.warnings.append(
                f"{table.source}: the file's own column(s) {', '.join(sorted(replaced - used))} set aside for --map"
            )

    def describe(self) -> list[tuple[str, str]]:
        return [(k, s.describe()) for k, s in self.sources.items()]


def _key_of(column: str, kind: Kind) -> str | None:
    norm = _normal(column)
    return norm if norm in kind.keys else kind.aliases.get(norm, norm)


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _from_spec(spec: str, *, files: bool = True) -> Source:
    key, sep, rhs = spec.partition("=")
    key = key.strip()
    if not sep or not key or not rhs.strip():
        raise InputError(
            f"--map {spec!r}: expected KEY=COLUMN, KEY=const:VALUE, KEY={{COL1}}-{{COL2}} or KEY=from:COLUMN:TABLE.csv"
        )
    return _source(key, rhs.strip(), f"--map {spec}", files=files)


def _source(key: str, rhs: Any, where: str, *, files: bool = True) -> Source:
    if isinstance(rhs, dict):
        column, values = rhs.get("from"), rhs.get("values")
        if not isinstance(column, str) or not isinstance(values, dict) or not values:
            raise InputError(f"{where}: a value mapping needs 'from: COLUMN' and 'values: {{CODE: VALUE, ...}}'")
        return Source(key, column=column, values={_text(k): _text(v) for k, v in values.items()})
    if not isinstance(rhs, str | int | float):
        raise InputError(f"{where}: expected text, got {type(rhs).__name__}")
    text = str(rhs).strip()
    if text.startswith("const:"):
        return Source(key, const=text.removeprefix("const:"))
    if text.startswith("from:"):
        column, sep, table = text.removeprefix("from:").partition(":")
        if not sep or not column or not table:
            raise InputError(
                f"{where}: expected from:COLUMN:TABLE.csv (a CSV of the file's code and our value) "
                "or from:COLUMN:CODE=VALUE,CODE=VALUE"
            )
        if "=" in table:
            pairs = [part.partition("=") for part in table.split(",") if part.strip()]
            if any(not code.strip() or not value.strip() for code, _, value in pairs):
                raise InputError(f"{where}: expected from:COLUMN:CODE=VALUE,CODE=VALUE")
            return Source(key, column=column, values={c.strip(): v.strip() for c, _, v in pairs})
        if not files:
            raise InputError(
                f"{where}: a value table file cannot be named here; give it inline: from:{column}:CODE=VALUE,..."
            )
        return Source(key, column=column, values=_value_table(Path(table), where))
    if "{" in text or "}" in text:
        if not _TEMPLATE_FIELD.search(text) or text.count("{") != text.count("}"):
            raise InputError(f"{where}: a template names columns in braces, e.g. {{STRAAT}}-{{NUMMER}}")
        return Source(key, template=text)
    return Source(key, column=text)


def _value_table(path: Path, where: str) -> dict[str, str]:
    if not path.is_file():
        raise InputError(f"{where}: no such value table: {path}")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        sample = fh.read(4096)
        fh.seek(0)
        delimiter = ";" if sample.count(";") > sample.count(",") else ","
        rows = [r for r in csv.reader(fh, delimiter=delimiter) if any(c.strip() for c in r)]
    out: dict[str, str] = {}
    for number, row in enumerate(rows, start=1):
        if len(row) < 2:
            raise InputError(f"{path.name} row {number}: expected two columns, the file's code and our value")
        out[row[0].strip()] = row[1].strip()
    return out


def _from_yaml(path: Path) -> dict[str, Source]:
    import yaml

    if not path.is_file():
        raise InputError(f"no such mapping file: {path}", path.name)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise InputError(f"not valid YAML{where}: {getattr(err, 'problem', err)}", path.name) from None
    if not isinstance(data, dict):
        raise InputError("expected a mapping of exchange keys to columns (KEY: COLUMN)", path.name)
    return {str(k): _source(str(k), v, f"{path.name}, key {k}") for k, v in data.items()}
