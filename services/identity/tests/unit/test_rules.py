"""Domain rules without I/O: formats, password policy, throttling, captcha, tokens."""

from __future__ import annotations

import gzip
import unicodedata
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from services.identity.adapters.common_passwords import common_passwords
from services.identity.domain.captcha import WORDS, new_challenge, read_attempt
from services.identity.domain.errors import CaptchaError, InvalidFieldError, WeakPasswordError
from services.identity.domain.passwords import DEMO_PASSWORD, PasswordPolicy
from services.identity.domain.throttle import ThrottlePolicy
from services.identity.domain.tokens import new_token, token_hash
from services.identity.domain.validation import (
    check_national_id,
    check_phone,
    check_tax_code,
    normalise_email,
    tax_code_check_digit,
)

NOW = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)


def test_emails_are_unique_case_insensitively() -> None:
    assert normalise_email(" Hoa.Nguyen@Example.VN ") == (
        "Hoa.Nguyen@Example.VN",
        "hoa.nguyen@example.vn",
    )
    for bad in ("hoa", "hoa@", "@example.vn", "hoa@example", "a b@example.vn"):
        with pytest.raises(InvalidFieldError):
            normalise_email(bad)


def test_national_id_checks_province_and_birth_year() -> None:
    assert check_national_id("037190000123", date(1990, 5, 17)) == "037190000123"
    assert check_national_id("001305000001", date(2005, 1, 1))  # century digit 3: 2000s
    for bad in ("03719000012", "0371900001234", "03719000012a", "003190000123"):
        with pytest.raises(InvalidFieldError):
            check_national_id(bad)
    with pytest.raises(InvalidFieldError, match="birth_year"):
        check_national_id("037190000123", date(1991, 1, 1))


def test_tax_code_check_digit() -> None:
    assert tax_code_check_digit("010010910") == 6
    assert check_tax_code("0100109106") == "0100109106"
    assert check_tax_code("0100109106-001") == "0100109106-001"
    for bad in ("0100109105", "010010910", "0100109106-01", "01001091066"):
        with pytest.raises(InvalidFieldError):
            check_tax_code(bad)


def test_phone_numbers_are_normalised() -> None:
    assert check_phone("+84 912 345 678") == "0912345678"
    with pytest.raises(InvalidFieldError):
        check_phone("0123")


POLICY = PasswordPolicy(common_passwords())


def test_the_shipped_common_password_list_is_real() -> None:
    assert len(common_passwords()) >= 100_000
    assert {"password", "123456", "qwerty123", "iloveyou", "matkhau", "emyeuanh"} <= (
        common_passwords()
    )


@pytest.mark.parametrize(
    "password", ["emyeuanh", "EmYeuAnh", " hanoi123 ", "QWERTY123", "trustno1", "1q2w3e4r5t"]
)
def test_passwords_on_the_breach_list_are_refused_in_vietnamese(password: str) -> None:
    with pytest.raises(WeakPasswordError) as error:
        POLICY.check(password)
    assert error.value.reason == "common"
    assert error.value.detail == (
        "Mật khẩu này quá phổ biến và dễ bị đoán, vui lòng chọn mật khẩu khác."
    )


def test_the_breach_list_is_compared_after_nfc(tmp_path: Path) -> None:
    listed = tmp_path / "list.txt.gz"
    listed.write_bytes(gzip.compress(unicodedata.normalize("NFD", "Hoa Sen Đẹp\n").encode()))
    policy = PasswordPolicy(common_passwords(listed))
    with pytest.raises(WeakPasswordError):
        policy.check(unicodedata.normalize("NFC", "hoa sen đẹp"))
    with pytest.raises(WeakPasswordError):
        policy.check(unicodedata.normalize("NFD", "HOA SEN ĐẸP"))


def test_a_strong_password_is_accepted() -> None:
    assert POLICY.check("Sông Hồng chảy qua 36 phố phường") == "Sông Hồng chảy qua 36 phố phường"
    assert POLICY.check("k7#Vq-pL2m!xR9") == "k7#Vq-pL2m!xR9"


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("ngắn7", "too_short"),
        ("x" * 129, "too_long"),
        ("Password1", "common"),
        ("  qwerty123 ", "common"),
        ("hoa.nguyen", "contextual"),
        ("Hoa.Nguyen2025!", "contextual"),
        (" " * 8, "common"),
        ("matkhau123", "common"),
        ("Mật khẩu 123", "common"),
        ("Password123!", "common"),
        ("motcua2025", "common"),
        ("Một Cửa 2025", "common"),
        ("Demo Một Cửa 2025", "common"),
    ],
)
def test_weak_passwords_are_refused(password: str, reason: str) -> None:
    with pytest.raises(WeakPasswordError) as error:
        POLICY.check(password, ["hoa.nguyen", "hoa.nguyen@example.vn"])
    assert error.value.reason == reason


def test_the_published_demo_password_is_accepted_in_demo_mode_only() -> None:
    with pytest.raises(WeakPasswordError):
        POLICY.check(DEMO_PASSWORD)
    assert PasswordPolicy(common_passwords(), demo=True).check(DEMO_PASSWORD) == DEMO_PASSWORD


def test_long_passphrases_without_composition_rules_are_accepted() -> None:
    assert POLICY.check("x" * 64) == "x" * 64
    assert POLICY.check("tất cả chữ thường") == "tất cả chữ thường"
    assert POLICY.check("mật khẩu của tôi dài") == "mật khẩu của tôi dài"
    assert POLICY.check("  có dấu cách  ") == "  có dấu cách  "  # spaces are kept
    assert POLICY.check("9081726354", ["037190000123"]) == "9081726354"
    with pytest.raises(WeakPasswordError):
        POLICY.check("037190000123", ["037190000123"])
    decomposed = unicodedata.normalize("NFD", "mật khẩu dài")
    assert POLICY.check(decomposed) == unicodedata.normalize("NFC", decomposed)


def test_throttling_slows_then_locks_well_before_100_failures() -> None:
    policy = ThrottlePolicy()
    waits = [policy.wait_after(n) for n in range(1, 12)]
    assert waits[:3] == [(0.0, False)] * 3
    assert [w for w, _ in waits[3:9]] == [1, 2, 4, 8, 16, 32]
    assert waits[9] == (900.0, True) and waits[10] == (900.0, True)


def test_captcha_answers_need_a_genuine_unexpired_challenge() -> None:
    key = b"k" * 32
    challenge = new_challenge(key, NOW)
    a, b = challenge.question.lower().split(" bằng ")[0].split(" cộng ")
    answer = str(WORDS.index(a) + WORDS.index(b))
    solved = read_attempt(key, challenge.token, answer, NOW)
    assert solved.nonce and solved.solved
    wrong = read_attempt(key, challenge.token, str(int(answer) + 1), NOW)
    assert wrong.nonce == solved.nonce and not wrong.solved
    for token, when in (
        (challenge.token, NOW + timedelta(minutes=11)),
        (challenge.token + "x", NOW),
    ):
        with pytest.raises(CaptchaError):
            read_attempt(key, token, answer, when)
    with pytest.raises(CaptchaError):
        read_attempt(b"other" * 8, challenge.token, answer, NOW)


def test_tokens_are_random_and_stored_as_hashes() -> None:
    tokens = {new_token() for _ in range(100)}
    assert len(tokens) == 100 and all(len(t) >= 43 for t in tokens)  # 256 bits
    token = next(iter(tokens))
    assert token_hash(token) != token and len(token_hash(token)) == 64
