import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from helhet.core.validators import (
    make_national_id,
    make_org_number,
    parse_national_id,
    validate_org_number,
)
from helhet.core.world import synthetic_national_id


def test_a_valid_fodselsnummer_gives_birth_date():
    value = make_national_id(dt.date(1985, 3, 14), 123)
    assert value is not None
    parsed = parse_national_id(value)
    assert parsed.birth_date == dt.date(1985, 3, 14)
    assert parsed.is_d_number is False


def test_a_d_number_is_recognised_and_dated():
    value = synthetic_national_id(dt.date(1990, 7, 2), 50, d_number=True)
    assert value.startswith("42")  # day + 40
    parsed = parse_national_id(value)
    assert parsed.is_d_number is True
    assert parsed.birth_date == dt.date(1990, 7, 2)


def test_children_born_after_2000_get_the_right_century():
    value = synthetic_national_id(dt.date(2015, 1, 9), 0)
    assert parse_national_id(value).birth_date == dt.date(2015, 1, 9)


@pytest.mark.parametrize("bad", ["", "123", "1234567890a", "123456789012"])
def test_it_refuses_numbers_of_the_wrong_form(bad):
    with pytest.raises(ValidationError) as exc:
        parse_national_id(bad)
    assert exc.value.code == "national_id_format"


def test_it_refuses_a_bad_checksum():
    value = make_national_id(dt.date(1985, 3, 14), 123)
    broken = value[:10] + str((int(value[10]) + 1) % 10)
    with pytest.raises(ValidationError) as exc:
        parse_national_id(broken)
    assert exc.value.code == "national_id_checksum"
    assert "Kontrollsifrene" in exc.value.messages[0]


def test_it_refuses_an_impossible_date_with_valid_check_digits():
    base = "310299"  # 31 February
    for individual in range(100, 200):
        value = None
        from helhet.core.validators import _K1, _K2, _mod11

        k1 = _mod11(base + f"{individual:03d}", _K1)
        if k1 is None:
            continue
        k2 = _mod11(base + f"{individual:03d}{k1}", _K2)
        if k2 is None:
            continue
        value = f"{base}{individual:03d}{k1}{k2}"
        break
    with pytest.raises(ValidationError) as exc:
        parse_national_id(value)
    assert exc.value.code == "national_id_date"


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2039, 12, 31)), st.integers(0, 999), st.booleans())
def test_every_generated_number_parses_back_to_its_date(birth, seed, d_number):
    value = synthetic_national_id(birth, seed, d_number=d_number)
    parsed = parse_national_id(value)
    assert parsed.birth_date == birth
    assert parsed.is_d_number is d_number


@given(st.text(alphabet="0123456789", min_size=11, max_size=11))
def test_any_eleven_digits_either_parse_or_raise_a_validation_error(value):
    try:
        parse_national_id(value)
    except ValidationError:
        pass


def test_org_numbers_are_checked_with_mod11():
    good = make_org_number(93000001)
    validate_org_number(good)
    with pytest.raises(ValidationError):
        validate_org_number(good[:8] + str((int(good[8]) + 1) % 10))
    with pytest.raises(ValidationError):
        validate_org_number("12345")
