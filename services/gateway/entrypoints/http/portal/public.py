"""Pages anyone may see: home, procedures, "Nộp hồ sơ trực tuyến", lookup, statistics."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request, Response

from services.gateway.domain.routing import SERVICES
from services.gateway.entrypoints.http.portal.api import ServiceDownError, count_upstream
from services.gateway.entrypoints.http.portal.web import portal_of, render

router = APIRouter()

LEVELS = {1: "Mức độ 1", 2: "Mức độ 2", 3: "Một phần (mức độ 3)", 4: "Toàn trình (mức độ 4)"}
GOV_LEVELS = {"central": "Trung ương", "province": "Cấp tỉnh", "commune": "Cấp xã"}
DELIVERY = {
    "office": "Tại Bộ phận Một cửa",
    "post": "Qua dịch vụ bưu chính",
    "online": "Bản điện tử trên Cổng dịch vụ công",
}


async def _catalog(request: Request, path: str, **params: Any) -> Any:
    answer = await portal_of(request).services.call(
        "GET", "catalog", path, params={k: v for k, v in params.items() if v not in (None, "")}
    )
    return answer.body if answer.ok and isinstance(answer.body, dict) else None


async def _agencies(request: Request) -> list[dict[str, Any]]:
    body = await _catalog(request, "/api/v1/catalog/agencies")
    return list(body.get("items") or []) if body else []


@router.api_route("/", methods=["GET", "HEAD"])
async def home(request: Request) -> Response:
    context: dict[str, Any] = {"levels": LEVELS}
    try:
        body = await _catalog(request, "/api/v1/catalog/procedures", level=4, page_size=6)
        context["featured"] = (body.get("items") or []) if body else []
    except ServiceDownError as down:
        context["catalog_down"] = down.message
    health = await portal_of(request).health()
    count_upstream(health.probes)  # one liveness probe per service, none while cached
    context["health"] = [
        {"label": SERVICES[name], "up": up} for name, up in health.services.items()
    ]
    return await render(request, "home.html", context)


@router.get("/thu-tuc")
async def procedures(
    request: Request, q: str = "", co_quan: str = "", muc_do: str = "", trang: int = 1
) -> Response:
    context: dict[str, Any] = {"q": q, "agency": co_quan, "level": muc_do, "levels": LEVELS}
    try:
        context["agencies"] = await _agencies(request)
        body = await _catalog(
            request,
            "/api/v1/catalog/procedures",
            q=q,
            agency=co_quan,
            level=muc_do if muc_do.isdigit() else None,
            page=max(trang, 1),
            page_size=20,
        )
        context["result"] = body or {"items": [], "total": 0, "page": 1}
    except ServiceDownError as down:
        context["catalog_down"] = down.message
    return await render(request, "procedures.html", context)


@router.get("/thu-tuc/{code}")
async def procedure(request: Request, code: str, co_quan: str = "") -> Response:
    context: dict[str, Any] = {
        "levels": LEVELS,
        "gov_levels": GOV_LEVELS,
        "delivery": DELIVERY,
        "agency": co_quan,
    }
    try:
        body = await _catalog(request, f"/api/v1/catalog/procedures/{quote(code, safe='')}")
    except ServiceDownError as down:
        return await render(request, "procedure.html", {"catalog_down": down.message}, 503)
    if body is None:
        return await render(
            request, "procedure.html", {"error": "Không tìm thấy thủ tục hành chính này."}, 404
        )
    context["p"] = body
    return await render(request, "procedure.html", context)


@router.get("/nop-ho-so")
async def file_online(request: Request, co_quan: str = "", q: str = "") -> Response:
    """Choose the agency, then the procedure, then "Đăng ký trực tuyến" (levels 3-4)."""
    context: dict[str, Any] = {"agency": co_quan, "q": q, "levels": LEVELS}
    try:
        context["agencies"] = [a for a in await _agencies(request) if not a.get("retired")]
        if co_quan:
            items: list[dict[str, Any]] = []
            for level in (4, 3):
                body = await _catalog(
                    request,
                    "/api/v1/catalog/procedures",
                    agency=co_quan,
                    level=level,
                    q=q,
                    page_size=100,
                )
                items += (body.get("items") or []) if body else []
            context["items"] = items
    except ServiceDownError as down:
        context["catalog_down"] = down.message
    return await render(request, "file_online.html", context)


@router.get("/tra-cuu")
async def lookup(request: Request, ma: str = "", cccd: str = "") -> Response:
    context: dict[str, Any] = {"code": ma.strip(), "last4": cccd.strip()}
    if ma.strip() and cccd.strip():
        try:
            answer = await portal_of(request).services.call(
                "GET",
                "dossier",
                f"/api/v1/lookup/{quote(ma.strip(), safe='')}",
                params={"id_last4": cccd.strip()},
            )
            if answer.ok:
                context["found"] = answer.body
                context["agency_name"] = await _agency_name(
                    request, str(answer.body.get("agency_code") or "")
                )
            else:
                context["not_found"] = (
                    answer.detail
                    if answer.status != 404
                    else ("Không tìm thấy hồ sơ với mã và số giấy tờ đã nhập.")
                )
        except ServiceDownError as down:
            context["dossier_down"] = down.message
    elif ma.strip():
        context["need_last4"] = True
    return await render(request, "lookup.html", context)


async def _agency_name(request: Request, code: str) -> str | None:
    """A nicety: without the catalog the code stands in for the name."""
    try:
        agency = await _catalog(request, f"/api/v1/catalog/agencies/{quote(code, safe='')}")
    except ServiceDownError:
        return None
    return str(agency["name"]) if agency and agency.get("name") else None


@router.get("/thong-ke")
async def statistics(request: Request) -> Response:
    context: dict[str, Any] = {}
    try:
        answer = await portal_of(request).services.call("GET", "notify", "/api/v1/stats")
        body = answer.body if answer.ok and isinstance(answer.body, dict) else None
    except ServiceDownError as down:
        return await render(request, "stats.html", {"notify_down": down.message})
    if not body or not body.get("items"):
        return await render(request, "stats.html", {"stats": None})
    names: dict[str, str] = {}
    try:  # names are a nicety: codes stand in when the catalog does not answer
        names.update({a["code"]: a["name"] for a in await _agencies(request)})
        listing = await _catalog(request, "/api/v1/catalog/procedures", page_size=100)
        names.update({p["code"]: p["name"] for p in (listing or {}).get("items") or []})
    except ServiceDownError:
        pass
    context["stats"] = {
        "total": body.get("total") or {},
        "by_agency": _grouped(body["items"], "agency_code", names),
        "by_procedure": _grouped(body["items"], "procedure_code", names),
    }
    return await render(request, "stats.html", context)


def _grouped(items: list[dict[str, Any]], key: str, names: dict[str, str]) -> list[dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    for item in items:
        code = str(item.get(key))
        row = rows.setdefault(
            code,
            {"code": code, "name": names.get(code, code), "received": 0, "on_time": 0, "late": 0},
        )
        row["received"] += int(item.get("received") or 0)
        row["on_time"] += int(item.get("completed_on_time") or 0)
        row["late"] += int(item.get("completed_late") or 0)
    return sorted(rows.values(), key=lambda r: -r["received"])
