"""The catalogue's use cases together, as the entrypoints are handed them."""

from __future__ import annotations

from dataclasses import dataclass

from services.catalog.application.calendar import Calendar
from services.catalog.application.procedures import Procedures
from services.catalog.application.registry import Registry
from services.catalog.application.search import Search
from services.catalog.application.templates import Templates


@dataclass(frozen=True)
class Catalog:
    procedures: Procedures
    registry: Registry
    search: Search
    templates: Templates
    calendar: Calendar
