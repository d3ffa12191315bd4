"""The portal shows fee rules with their unit («8.000 ₫/bản») on the procedure page and
the estimate computed from the form («Phí, lệ phí dự kiến») on a dossier."""

from __future__ import annotations

from services.gateway.entrypoints.http.portal.web import templates

PROCEDURE = {
    "form_schema": {
        "properties": {
            "so_luong": {"title": "Số lượng Phiếu", "type": "integer"},
            "giam_phi": {"title": "Thuộc đối tượng được giảm phí", "type": "boolean"},
        }
    },
    "fees": [
        {"code": "PHI", "name": "Phí cung cấp thông tin", "amount": 200000, "rule": None},
        {
            "code": "PHI_SV",
            "name": "Phí giảm",
            "amount": 100000,
            "rule": None,
            "applies_if": "giam_phi",
            "replaces": "PHI",
        },
        {
            "code": "PHI_THEM",
            "name": "Phí thêm",
            "amount": 5000,
            "rule": "per_copy",
            "quantity_field": "so_luong",
            "free_units": 2,
            "max_units": None,
            "max_amount": None,
            "multiplier_field": None,
        },
    ],
}


def _render(source: str, **context: object) -> str:
    return templates.env.from_string(source).render(**context)


def test_the_procedure_page_names_unit_count_field_and_condition() -> None:
    html = _render('{% from "_fees.html" import fee_rules %}{{ fee_rules(p) }}', p=PROCEDURE)
    assert "Phí thêm: <strong>5.000 ₫/bản</strong>" in html
    assert "theo «Số lượng Phiếu», từ bản thứ 3" in html
    assert "áp dụng khi «Thuộc đối tượng được giảm phí», thay cho «Phí cung cấp thông tin»" in html
    assert "Không thu phí" in _render(
        '{% from "_fees.html" import fee_rules %}{{ fee_rules(p) }}', p={"fees": []}
    )


def test_a_dossier_shows_the_estimated_lines_and_total() -> None:
    estimate = {
        "total": 110000,
        "lines": [
            {
                "code": "PHI_SV",
                "name": "Phí giảm",
                "unit_amount": 100000,
                "quantity": 1,
                "amount": 100000,
                "rule": None,
            },
            {
                "code": "PHI_THEM",
                "name": "Phí thêm",
                "unit_amount": 5000,
                "quantity": 2,
                "amount": 10000,
                "rule": "per_copy",
            },
        ],
    }
    html = _render('{% from "_fees.html" import fee_estimate %}{{ fee_estimate(e) }}', e=estimate)
    assert "Phí, lệ phí dự kiến" in html and "<strong>110.000 ₫</strong>" in html
    assert "Phí thêm: 2 × 5.000 ₫/bản = 10.000 ₫" in html and "Phí giảm: 100.000 ₫" in html
    assert (
        _render(
            '{% from "_fees.html" import fee_estimate %}{{ fee_estimate(e) }}',
            e={"lines": [], "total": 0},
        ).strip()
        == ""
    )
    free = _render(
        '{% from "_fees.html" import fee_estimate %}{{ fee_estimate(e) }}',
        e={
            "lines": [
                {
                    "code": "LP",
                    "name": "Lệ phí",
                    "unit_amount": 0,
                    "quantity": 1,
                    "amount": 0,
                    "rule": None,
                }
            ],
            "total": 0,
        },
    )
    assert "Không thu phí, lệ phí" in free and "0 ₫" not in free
