"""Jinja2 templates of the emails (services/notify/templates), HTML autoescaped."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from services.notify.domain.messages import Email

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"

_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)


def render(name: str, subject: str, **values: Any) -> Email:
    return Email(
        subject=subject,
        body=_env.get_template(f"{name}.txt").render(**values),
        html=_env.get_template(f"{name}.html").render(**values),
    )
