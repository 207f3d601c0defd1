"""Validation errors that say where, what came and what was expected.

Exception tree::

    OpenRuimteError                 base of every error this package raises on purpose
     ├── FieldError                 one field of one record is wrong
     ├── RecordInvalid              one record, every wrong field (FieldError[])
     └── InputError                 a whole input (file, request) is refused
          └── carries RowError[]    each: source, row, field, value, message
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class OpenRuimteError(Exception):
    """Base class. ``code`` is a stable machine code, ``status`` an HTTP status."""

    code = "error"
    status = 400


class FieldError(OpenRuimteError):
    """One field of a record has a wrong value."""

    code = "invalid_field"

    def __init__(self, field: str, message: str, value: Any = None) -> None:
        super().__init__(f"field {field}: {message}")
        self.field = field
        self.message = message
        self.value = value


@dataclass(frozen=True, slots=True)
class RowError:
    """A problem at one place of an input, formatted as
    ``plans.csv row 17, field assettypen: unknown asset type 'riool' (...)``."""

    source: str
    message: str
    row: int | None = None
    field: str | None = None
    value: Any = None
    row_label: str = "row"

    def __str__(self) -> str:
        where = self.source
        if self.row is not None:
            where += f" {self.row_label} {self.row}"
        if self.field is not None:
            where += f", field {self.field}"
        return f"{where}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        value = self.value if isinstance(self.value, (str, int, float, bool, type(None))) else str(self.value)
        return {
            "source": self.source,
            "row": self.row,
            "field": self.field,
            "value": value,
            "message": self.message,
            "text": str(self),
        }


class RecordInvalid(OpenRuimteError):
    """One record has one or more wrong fields."""

    code = "invalid_record"

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


class InputError(OpenRuimteError):
    """An input was refused as a whole; ``errors`` lists every problem found."""

    code = "invalid_input"

    def __init__(self, errors: list[RowError] | RowError | str, source: str = "input") -> None:
        if isinstance(errors, str):
            errors = [RowError(source=source, message=errors)]
        elif isinstance(errors, RowError):
            errors = [errors]
        self.errors: list[RowError] = list(errors)
        shown = "\n".join(str(e) for e in self.errors[:50])
        more = len(self.errors) - 50
        if more > 0:
            shown += f"\n... and {more} more"
        super().__init__(shown)


@dataclass(slots=True)
class ErrorCollector:
    """Collects row errors of one source so that all of them can be reported."""

    source: str
    row_label: str = "row"
    errors: list[RowError] = field(default_factory=list)

    def add(self, message: str, row: int | None = None, field: str | None = None, value: Any = None) -> None:
        self.errors.append(RowError(self.source, message, row, field, value, self.row_label))

    def add_field_error(self, err: FieldError, row: int | None, names: dict[str, str] | None = None) -> None:
        name = (names or {}).get(err.field, err.field)
        self.add(err.message, row=row, field=name, value=err.value)

    def raise_if_any(self) -> None:
        if self.errors:
            raise InputError(self.errors, self.source)
