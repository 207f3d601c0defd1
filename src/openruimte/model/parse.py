"""Coercion of raw values (from CSV, XLSX, JSON, forms) into typed values.

Every coercer raises :class:`FieldError` naming what came and what was expected.
The same coercers serve every reader and the API, so a value is accepted or
refused with the same words everywhere.
"""

from __future__ import annotations

import calendar
import datetime as dt
import difflib
import math
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from openruimte.model.errors import FieldError, RecordInvalid

E = TypeVar("E")

_TRUE = {"true", "ja", "j", "yes", "y", "1", "waar", "wel"}
_FALSE = {"false", "nee", "n", "no", "0", "onwaar", "niet"}
_DATE_RE = re.compile(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?$")
_DUTCH_DATE_RE = re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{4})$")


def is_blank(value: Any) -> bool:
    """None, empty or whitespace-only strings and NaN count as absent."""
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, (list, tuple)):
        return len(value) == 0
    return False


def suggest(value: str, choices: Iterable[str]) -> str | None:
    """The closest choice for a mistyped vocabulary value, or None."""
    choices = list(choices)
    low = value.strip().lower()
    contains = [c for c in choices if low and (low in c or c in low)]
    if len(contains) >= 1:
        return sorted(contains, key=lambda c: (abs(len(c) - len(low)), c))[0]
    close = difflib.get_close_matches(low, choices, n=1, cutoff=0.6)
    if close:
        return close[0]
    prefix = [c for c in choices if len(low) >= 4 and c[:4] == low[:4]]
    return prefix[0] if len(prefix) == 1 else None


def text(field: str, value: Any, *, required: bool = False, max_length: int = 10_000) -> str | None:
    if is_blank(value):
        if required:
            raise FieldError(field, "a value is required", value)
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    result = str(value).strip()
    if len(result) > max_length:
        raise FieldError(field, f"text of {len(result)} characters is longer than {max_length}", result[:40])
    return result


def enum(field: str, value: Any, kind: type[E], *, label: str, default: E | None = None) -> E:
    """A vocabulary value (case-insensitive)."""
    if is_blank(value):
        if default is None:
            raise FieldError(field, f"a value is required; expected one of {_listing(kind)}", value)
        return default
    raw = str(value).strip().lower()
    try:
        return kind(raw)  # type: ignore[call-arg]
    except ValueError:
        pass
    hint = suggest(raw, [str(m) for m in kind])  # type: ignore[attr-defined]
    extra = f" (did you mean '{hint}'?)" if hint else f"; expected one of {_listing(kind)}"
    raise FieldError(field, f"unknown {label} '{value}'{extra}", value)


def _listing(kind: Any) -> str:
    return ", ".join(str(m) for m in kind)


def code_list(
    field: str,
    value: Any,
    choices: tuple[str, ...],
    *,
    label: str,
    required: bool = False,
) -> tuple[str, ...]:
    """A list of vocabulary codes, given as a list or separated by ``;`` or ``,``."""
    items = string_list(field, value)
    if not items:
        if required:
            raise FieldError(field, f"at least one {label} is required", value)
        return ()
    out: list[str] = []
    for item in items:
        code = item.lower()
        if code not in choices:
            hint = suggest(code, choices)
            extra = f" (did you mean '{hint}'?)" if hint else ""
            raise FieldError(field, f"unknown {label} '{item}'{extra}", item)
        if code not in out:
            out.append(code)
    return tuple(out)


def string_list(field: str, value: Any) -> tuple[str, ...]:
    if is_blank(value):
        return ()
    if isinstance(value, str):
        parts = re.split(r"[;,]", value)
    elif isinstance(value, (list, tuple)):
        parts = [str(v) for v in value]
    else:
        raise FieldError(field, f"expected a list or text separated by ';', got {type(value).__name__}", value)
    return tuple(p.strip() for p in parts if p.strip())


def boolean(field: str, value: Any, *, default: bool) -> bool:
    """ja/nee, true/false, 1/0 (any case)."""
    if is_blank(value):
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    raw = str(value).strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise FieldError(field, f"expected ja/nee, true/false or 1/0, got '{value}'", value)


def date(field: str, value: Any, *, end_of_period: bool = False) -> dt.date | None:
    """ISO ``YYYY-MM-DD`` or ``YYYY-MM``; a month is its first day, or its last
    day when ``end_of_period`` (an end date is inclusive)."""
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raw = str(value).strip()
    if len(raw) == 10 and raw[4] == "-" and raw[7] == "-":
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            pass  # the full check below says what is wrong
    if "T" in raw and len(raw) > 10:
        raw = raw.split("T", 1)[0]
    elif " " in raw and len(raw) > 10:
        raw = raw.split(" ", 1)[0]
    match = _DATE_RE.match(raw)
    if match is None:
        if _DUTCH_DATE_RE.match(raw):
            d, m, y = raw.split("-")
            raise FieldError(
                field,
                f"date '{value}' is day-month-year; write it as {y}-{int(m):02d}-{int(d):02d} (YYYY-MM-DD)",
                value,
            )
        raise FieldError(field, f"expected a date YYYY-MM-DD or YYYY-MM, got '{value}'", value)
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        raise FieldError(field, f"month {month} in '{value}' is not 1..12", value)
    if match.group(3) is None:
        day = calendar.monthrange(year, month)[1] if end_of_period else 1
    else:
        day = int(match.group(3))
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise FieldError(field, f"'{value}' is not a date in the calendar", value) from None


def number(field: str, value: Any, *, minimum: float | None = None, maximum: float | None = None) -> float | None:
    """A number; a Dutch decimal comma (``12,5`` or ``1.234,50``) is accepted."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise FieldError(field, f"expected a number, got '{value}'", value)
    if isinstance(value, (int, float)):
        result = float(value)
    else:
        raw = str(value).strip().replace("\u00a0", "").replace(" ", "").replace("€", "")
        if "," in raw and ("." not in raw or raw.rfind(",") > raw.rfind(".")):
            raw = raw.replace(".", "").replace(",", ".")
        try:
            result = float(raw)
        except ValueError:
            raise FieldError(field, f"expected a number, got '{value}'", value) from None
    if not math.isfinite(result):
        raise FieldError(field, f"expected a finite number, got '{value}'", value)
    if minimum is not None and result < minimum:
        raise FieldError(field, f"{_fmt(result)} is below the minimum {_fmt(minimum)}", value)
    if maximum is not None and result > maximum:
        raise FieldError(field, f"{_fmt(result)} is above the maximum {_fmt(maximum)}", value)
    return result


def integer(field: str, value: Any, *, minimum: int | None = None, maximum: int | None = None) -> int | None:
    result = number(field, value, minimum=minimum, maximum=maximum)
    if result is None:
        return None
    if not float(result).is_integer():
        raise FieldError(field, f"expected a whole number, got '{value}'", value)
    return int(result)


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


class FieldCollector:
    """Runs coercers and keeps every :class:`FieldError`, so one record reports
    all its wrong fields at once."""

    def __init__(self, record: Mapping[str, Any]) -> None:
        self.record = record
        self.errors: list[FieldError] = []

    def get(self, fn: Callable[..., Any], field: str, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(field, self.record.get(field), *args, **kwargs)
        except FieldError as err:
            self.errors.append(err)
            return None

    def check(self, fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except FieldError as err:
            self.errors.append(err)
            return None

    def fail(self, field: str, message: str, value: Any = None) -> None:
        self.errors.append(FieldError(field, message, value))

    def raise_if_any(self) -> None:
        if self.errors:
            raise RecordInvalid(self.errors)
