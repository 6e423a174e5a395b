"""Resident ID numbers (居民身份证号码, GB 11643-1999) and phone numbers: normalize, validate, mask.

Pure functions over strings and dates; no ORM, so the same rules serve forms,
the API, Excel imports and exports.
"""

import datetime
import re
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext as _

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CODES = "10X98765432"
# First two digits: the province-level division codes in use (GB/T 2260), plus
# 71 台湾, 81 香港, 82 澳门, 83 for residence permits of Hong Kong/Macao/Taiwan residents.
_PROVINCE_CODES = frozenset(
    {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54}
    | {61, 62, 63, 64, 65, 71, 81, 82, 83}
)
_ID_SHAPE = re.compile(r"^\d{17}[\dX]$")
_PHONE_SHAPE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8})$")


class IdentityError(ValueError):
    """An ID or phone number that can't be right; the message is for the user."""


def normalize_text(value):
    """Full-width characters to half-width (NFKC), stray spaces removed."""
    if value is None:
        return ""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value)))


def check_digit(first17):
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CODES[total % 11]


@dataclass(frozen=True)
class IdNumber:
    number: str
    birth_date: datetime.date
    is_male: bool

    @property
    def region_code(self):
        return self.number[:6]


def parse_id_number(value):
    """Normalize and validate an 18-digit ID number; raise IdentityError with a Chinese reason."""
    number = normalize_text(value).upper()
    if not _ID_SHAPE.match(number):
        raise IdentityError(_("身份证号码应为 18 位：前 17 位是数字，最后一位是数字或 X。"))
    if int(number[:2]) not in _PROVINCE_CODES:
        raise IdentityError(_("身份证号码前两位不是有效的省级行政区划代码。"))
    try:
        birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise IdentityError(_("身份证号码中的出生日期无效。")) from None
    if birth.year < 1900:
        raise IdentityError(_("身份证号码中的出生日期无效。"))
    if check_digit(number[:17]) != number[17]:
        raise IdentityError(_("身份证号码校验位不正确，请核对。"))
    return IdNumber(number=number, birth_date=birth, is_male=int(number[16]) % 2 == 1)


def check_id_matches(id_number, *, birth_date=None, is_male=None):
    """The recorded birth date and gender must agree with the ID number."""
    if birth_date is not None and id_number.birth_date != birth_date:
        raise IdentityError(_("身份证号码中的出生日期与登记的出生日期不一致。"))
    if is_male is not None and id_number.is_male != is_male:
        raise IdentityError(_("身份证号码中的性别与登记的性别不一致。"))


def mask_id_number(number):
    """Region and last four only: 110101********1234. The birth date is never shown."""
    if not number:
        return ""
    if len(number) != 18:
        return "*" * len(number)
    return f"{number[:6]}{'*' * 8}{number[-4:]}"


def normalize_phone(value):
    phone = normalize_text(value)
    if phone.startswith("+86"):
        phone = phone[3:]
    if phone and not _PHONE_SHAPE.match(phone):
        raise IdentityError(_("电话号码格式不正确：手机号为 11 位数字，座机如 0371-12345678。"))
    return phone


def mask_phone(phone):
    """138****5678 for mobiles; landlines keep area code and last four."""
    if not phone:
        return ""
    if len(phone) == 11 and phone.startswith("1"):
        return f"{phone[:3]}****{phone[-4:]}"
    if len(phone) > 4:
        return f"{'*' * (len(phone) - 4)}{phone[-4:]}"
    return "*" * len(phone)
