"""Formats of what people type: email, national ID (CCCD), tax code, phone, names.

Text is normalised to NFC before anything else, so "Nguyễn" typed with
combining marks and precomposed is one and the same name.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from services.identity.domain.errors import InvalidFieldError

EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
PHONE = re.compile(r"0[35789]\d{8}")
NATIONAL_ID = re.compile(r"\d{12}")
TAX_CODE = re.compile(r"(\d{10})(-\d{3})?")
TAX_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)
# Province codes of the 12-digit CCCD (Circular 07/2016/TT-BCA, updated 59/2021):
# the 63 provinces before the 2025 merger, numbered 001-096 with gaps.
PROVINCE_CODES = frozenset(
    {
        1,
        2,
        4,
        6,
        8,
        10,
        11,
        12,
        14,
        15,
        17,
        19,
        20,
        22,
        24,
        25,
        26,
        27,
        30,
        31,
        33,
        34,
        35,
        36,
        37,
        38,
        40,
        42,
        44,
        45,
        46,
        48,
        49,
        51,
        52,
        54,
        56,
        58,
        60,
        62,
        64,
        66,
        67,
        68,
        70,
        72,
        74,
        75,
        77,
        79,
        80,
        82,
        83,
        84,
        86,
        87,
        89,
        91,
        92,
        93,
        94,
        95,
        96,
    }
)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


def normalise_email(raw: str) -> tuple[str, str]:
    """(the address as typed, NFC and trimmed; its lower-cased uniqueness key)."""
    email = nfc(raw)
    if len(email) > 254 or not EMAIL.fullmatch(email):
        raise InvalidFieldError("email", "invalid_email")
    return email, email.lower()


def check_name(field: str, raw: str, max_length: int = 200) -> str:
    name = " ".join(nfc(raw).split())
    if not name or len(name) > max_length:
        raise InvalidFieldError(field, "invalid_length")
    return name


def check_phone(raw: str) -> str:
    phone = re.sub(r"[\s.-]", "", nfc(raw))
    if phone.startswith("+84"):
        phone = "0" + phone[3:]
    if not PHONE.fullmatch(phone):
        raise InvalidFieldError("phone", "invalid_phone")
    return phone


def check_national_id(raw: str, date_of_birth: date | None = None) -> str:
    """A 12-digit CCCD: province, century/sex digit and birth year must make sense."""
    number = nfc(raw)
    if not NATIONAL_ID.fullmatch(number) or int(number[:3]) not in PROVINCE_CODES:
        raise InvalidFieldError("national_id", "invalid_national_id")
    century_sex = int(number[3])
    if century_sex > 9:
        raise InvalidFieldError("national_id", "invalid_national_id")
    if date_of_birth is not None:
        century = 1900 + 100 * (century_sex // 2)
        if century + int(number[4:6]) != date_of_birth.year:
            raise InvalidFieldError("national_id", "national_id_birth_year_mismatch")
    return number


def tax_code_check_digit(first_nine: str) -> int | None:
    """The tenth digit of a Vietnamese tax code, or None if no digit can be valid."""
    total = sum(int(d) * w for d, w in zip(first_nine, TAX_WEIGHTS, strict=True))
    check = 10 - total % 11
    return None if check == 10 else check


def check_tax_code(raw: str) -> str:
    """10 digits with the check digit, or 10 digits + "-" + 3 digits for a branch."""
    code = nfc(raw).replace(" ", "")
    match = TAX_CODE.fullmatch(code)
    if not match or tax_code_check_digit(match.group(1)[:9]) != int(match.group(1)[9]):
        raise InvalidFieldError("tax_code", "invalid_tax_code")
    return code


def check_birth_date(value: date, today: date) -> date:
    if value >= today or value.year < 1900:
        raise InvalidFieldError("date_of_birth", "invalid_date_of_birth")
    return value
