"""Jinja2 templates of the emails, HTML autoescaped; editable without code changes.

The packaged templates live in services/notify/templates; a directory given in
``MOTCUA_NOTIFY_TEMPLATES_DIR`` is searched first, so an operator overrides one
template by placing a file of the same name there.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    Undefined,
    select_autoescape,
)

from services.notify.domain.messages import Email

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


def _loader() -> ChoiceLoader:
    override = os.environ.get("MOTCUA_NOTIFY_TEMPLATES_DIR")
    paths = [Path(override)] if override else []
    return ChoiceLoader([FileSystemLoader([*paths, TEMPLATES])])


def _environment(undefined: type[Undefined]) -> Environment:
    return Environment(
        loader=_loader(),
        autoescape=select_autoescape(["html"]),
        undefined=undefined,
        keep_trailing_newline=True,
    )


_strict = _environment(StrictUndefined)
_lenient = _environment(Undefined)  # event data may lack an optional field: render it empty


def render(name: str, subject: str, *, strict: bool = True, **values: Any) -> Email:
    env = _strict if strict else _lenient
    return Email(
        subject=subject,
        body=env.get_template(f"{name}.txt").render(**values),
        html=env.get_template(f"{name}.html").render(**values),
    )
