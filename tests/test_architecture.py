"""Every service has the same corners (docs/architecture.md), and its layers point inward.

- ``domain/`` is pure: it imports nothing of the service's other layers, no web framework,
  no store or broker client;
- ``application/`` (use cases over Protocol ports) imports no adapter and no entrypoint;
- ``adapters/`` (outbound: stores, Kafka, SMTP, providers) import no entrypoint;
- ``entrypoints/`` (http, workers, cli) import no adapter: ``bootstrap.py`` is the one
  module that names concrete adapters for them.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SERVICES = ["identity", "catalog", "dossier", "payment", "notify", "gateway"]
CORNERS = ["domain", "application", "adapters", "entrypoints"]
IMPURE = ("fastapi", "starlette", "psycopg", "psycopg_pool", "aiokafka", "faust", "httpx", "boto3")


def imports_of(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def layer_files(service: str, layer: str) -> list[Path]:
    return sorted((ROOT / "services" / service / layer).rglob("*.py"))


def offending(service: str, layer: str, forbidden: list[str]) -> list[str]:
    return [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in layer_files(service, layer)
        for name in sorted(imports_of(path))
        if any(name == f or name.startswith(f + ".") for f in forbidden)
    ]


@pytest.mark.parametrize("service", SERVICES)
def test_every_service_has_the_same_corners(service: str) -> None:
    base = ROOT / "services" / service
    missing = [c for c in CORNERS if not (base / c / "__init__.py").is_file()]
    missing += [] if (base / "bootstrap.py").is_file() else ["bootstrap.py"]
    assert not missing, f"services/{service} lacks {missing}"


@pytest.mark.parametrize("service", SERVICES)
def test_the_domain_is_pure(service: str) -> None:
    own = [f"services.{service}.{layer}" for layer in ("application", "adapters", "entrypoints")]
    assert not offending(service, "domain", [*own, f"services.{service}.bootstrap", *IMPURE])


@pytest.mark.parametrize("service", SERVICES)
def test_no_use_case_imports_an_adapter_or_an_entrypoint(service: str) -> None:
    forbidden = [f"services.{service}.{layer}" for layer in ("adapters", "entrypoints")]
    assert not offending(service, "application", [*forbidden, f"services.{service}.bootstrap"])


@pytest.mark.parametrize("service", SERVICES)
def test_adapters_do_not_reach_back_into_entrypoints(service: str) -> None:
    assert not offending(service, "adapters", [f"services.{service}.entrypoints"])


@pytest.mark.parametrize("service", SERVICES)
def test_entrypoints_get_their_adapters_from_bootstrap_only(service: str) -> None:
    assert not offending(service, "entrypoints", [f"services.{service}.adapters"])


@pytest.mark.parametrize("service", SERVICES)
def test_no_service_imports_another(service: str) -> None:
    others = [f"services.{other}" for other in SERVICES if other != service]
    found = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in sorted((ROOT / "services" / service).rglob("*.py"))
        if "tests" not in path.relative_to(ROOT).parts
        for name in sorted(imports_of(path))
        if any(name == o or name.startswith(o + ".") for o in others)
    ]
    assert not found
