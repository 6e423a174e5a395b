import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cadres.identity import (
    IdentityError,
    check_digit,
    check_id_matches,
    mask_id_number,
    mask_phone,
    normalize_phone,
    parse_id_number,
)

# A well-known valid sample number (GB 11643 example): 11010519491231002X.
SAMPLE = "11010519491231002X"


def test_a_valid_number_parses_with_birth_date_and_gender():
    parsed = parse_id_number(SAMPLE)
    assert parsed.birth_date == datetime.date(1949, 12, 31)
    assert parsed.is_male is False  # 17th digit 2 is even
    assert parsed.region_code == "110105"


def test_lower_case_x_and_full_width_digits_are_normalized():
    full_width = "１１０１０５１９４９１２３１００２ｘ"
    assert parse_id_number(full_width).number == SAMPLE
    assert parse_id_number(" 11010519491231002x ").number == SAMPLE


def test_a_wrong_check_digit_is_refused_with_a_reason():
    with pytest.raises(IdentityError, match="校验位"):
        parse_id_number("110105194912310021")


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("1101051949123100", "18 位"),
        ("99010519491231002X", "省级行政区划"),
        ("110105194913310029", "出生日期"),
        ("1.10105E+17", "18 位"),
    ],
)
def test_malformed_numbers_are_refused(value, reason):
    with pytest.raises(IdentityError, match=reason):
        parse_id_number(value)


def test_birth_date_and_gender_must_agree_with_the_record():
    parsed = parse_id_number(SAMPLE)
    check_id_matches(parsed, birth_date=datetime.date(1949, 12, 31), is_male=False)
    with pytest.raises(IdentityError, match="出生日期"):
        check_id_matches(parsed, birth_date=datetime.date(1950, 1, 1))
    with pytest.raises(IdentityError, match="性别"):
        check_id_matches(parsed, is_male=True)


def test_masks_hide_the_birth_date_and_the_middle_of_the_phone():
    assert mask_id_number(SAMPLE) == "110105********002X"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("0371-1234567") == "********4567"


def test_phone_normalization():
    assert normalize_phone("+86 138 1234 5678") == "13812345678"
    with pytest.raises(IdentityError):
        normalize_phone("12345")


@given(
    st.dates(min_value=datetime.date(1920, 1, 1), max_value=datetime.date(2010, 12, 31)),
    st.integers(min_value=0, max_value=999),
)
def test_every_generated_number_round_trips_and_its_mask_hides_the_birth_date(birth, seq):
    first17 = f"410523{birth:%Y%m%d}{seq:03d}"
    number = first17 + check_digit(first17)
    parsed = parse_id_number(number)
    assert parsed.birth_date == birth
    assert parsed.is_male == (seq % 2 == 1)
    masked = mask_id_number(number)
    assert f"{birth:%Y%m%d}" not in masked
    assert masked[:6] == "410523" and masked[-4:] == number[-4:]


@given(st.text(min_size=18, max_size=18, alphabet="0123456789"))
def test_a_single_changed_digit_is_always_caught(digits):
    first17 = "1101051949123100" + digits[0]
    good = first17 + check_digit(first17)
    position = int(digits[1]) + 7  # somewhere in the middle
    replacement = str((int(good[position]) + 1) % 10)
    bad = good[:position] + replacement + good[position + 1 :]
    with pytest.raises(IdentityError):
        parse_id_number(bad)
