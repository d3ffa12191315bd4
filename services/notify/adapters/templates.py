"""Jinja2 templates of the emails, HTML autoescaped; editable without code changes.

The packaged templates live in services/notify/templates; a directory given in
``MOTCUA_NOTIFY_TEMPLATES_DIR`` (``NotifySettings.templates_dir``) is searched first, so
an operator overrides one template by placing a file of the same name there.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Undefined, select_autoescape

from services.notify.domain.messages import Email

PACKAGED = Path(__file__).resolve().parents[1] / "templates"


class JinjaTemplates:
    def __init__(self, override: Path | None = None) -> None:
        loader = FileSystemLoader([*([override] if override else []), PACKAGED])
        self._strict = self._environment(loader, StrictUndefined)
        # event data may lack an optional field: render it empty
        self._lenient = self._environment(loader, Undefined)

    @staticmethod
    def _environment(loader: FileSystemLoader, undefined: type[Undefined]) -> Environment:
        return Environment(
            loader=loader,
            autoescape=select_autoescape(["html"]),
            undefined=undefined,
            keep_trailing_newline=True,
        )

    def render(self, name: str, subject: str, *, strict: bool = True, **values: Any) -> Email:
        env = self._strict if strict else self._lenient
        return Email(
            subject=subject,
            body=env.get_template(f"{name}.txt").render(**values),
            html=env.get_template(f"{name}.html").render(**values),
        )
