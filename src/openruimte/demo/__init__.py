"""Voorbeeldstad (placeholder docstring)."""

from openruimte.demo._data import DemoData
from openruimte.demo._generate import generate
from openruimte.demo._town import Street

__all__ = ["DemoData", "Street", "generate"]
