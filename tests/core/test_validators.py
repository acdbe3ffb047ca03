"""The national-id and organisation-number wrapper (helhet/core/validators.py) against python-stdnum.

Pure functions, no database: the comparisons pass allow_synthetic explicitly and use fixed seeds.
Policy on top of stdnum (docs/decisions/0002-national-ids.md): H-numbers refused, synthetic
numbers (month + 80) only with HELHET_ALLOW_SYNTHETIC_IDS.
"""

import datetime as dt
import random
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from stdnum import exceptions as stdnum_errors
from stdnum.no import fodselsnummer, orgnr

from helhet.core.validators import (
    make_national_id,
    make_org_number,
    parse_national_id,
    validate_national_id,
    validate_org_number,
)
from helhet.core.world import synthetic_national_id


def _with_check_digits(base: str) -> str | None:
    """Nine digits + stdnum's two check digits, or None when a check digit would be 10."""
    k1 = fodselsnummer.calc_check_digit1(base)
    k2 = fodselsnummer.calc_check_digit2(base + k1) if len(k1) == 1 else "10"
    return base + k1 + k2 if len(k2) == 1 else None


def _code(value: str, **kwargs) -> str:
    try:
        parse_national_id(value, **kwargs)
    except ValidationError as exc:
        return exc.code
    return "ok"


# ---- behaviour by example ----


def test_a_valid_fodselsnummer_gives_birth_date():
    value = make_national_id(dt.date(1985, 3, 14), 123)
    assert value is not None
    parsed = parse_national_id(value, allow_synthetic=False)
    assert parsed.birth_date == dt.date(1985, 3, 14)
    assert parsed.is_d_number is False and parsed.is_synthetic is False


def test_a_d_number_is_recognised_and_dated():
    birth = dt.date(1990, 7, 2)
    value = next(v for i in range(50, 99) if (v := make_national_id(birth, i, d_number=True)))
    assert value.startswith("42")  # day + 40
    parsed = parse_national_id(value, allow_synthetic=False)
    assert parsed.is_d_number is True
    assert parsed.birth_date == dt.date(1990, 7, 2)


def test_a_synthetic_d_number_is_recognised_dated_and_marked():
    value = synthetic_national_id(dt.date(1990, 7, 2), 50, d_number=True)
    assert value.startswith("4287")  # day + 40, month + 80
    parsed = parse_national_id(value, allow_synthetic=True)
    assert parsed.is_d_number is True and parsed.is_synthetic is True
    assert parsed.birth_date == dt.date(1990, 7, 2)


def test_children_born_after_2000_get_the_right_century():
    value = synthetic_national_id(dt.date(2015, 1, 9), 0)
    assert parse_national_id(value, allow_synthetic=True).birth_date == dt.date(2015, 1, 9)


@pytest.mark.parametrize("bad", ["", "123", "1234567890a", "123456789012"])
def test_it_refuses_numbers_of_the_wrong_form(bad):
    with pytest.raises(ValidationError) as exc:
        parse_national_id(bad)
    assert exc.value.code == "national_id_format"


def test_spaces_are_ignored():
    value = make_national_id(dt.date(1985, 3, 14), 123)
    assert parse_national_id(f"{value[:6]} {value[6:]}").value == value


def test_it_refuses_a_bad_checksum():
    value = make_national_id(dt.date(1985, 3, 14), 123)
    broken = value[:10] + str((int(value[10]) + 1) % 10)
    with pytest.raises(ValidationError) as exc:
        parse_national_id(broken)
    assert exc.value.code == "national_id_checksum"
    assert "Kontrollsifrene" in exc.value.messages[0]


def test_it_refuses_an_impossible_date_with_valid_check_digits():
    # 31 February
    value = next(v for i in range(100, 200) if (v := _with_check_digits(f"310299{i:03d}")))
    with pytest.raises(ValidationError) as exc:
        parse_national_id(value)
    assert exc.value.code == "national_id_date"


def test_it_refuses_a_number_whose_century_cannot_be_determined():
    # Individual numbers 500-749 are 1854-1899 or 2000-2039; with year 45 neither fits (stdnum refuses).
    value = next(v for i in range(500, 750) if (v := _with_check_digits(f"010145{i:03d}")))
    assert not fodselsnummer.is_valid(value)
    assert _code(value) == "national_id_date"


def test_it_refuses_a_birth_date_in_the_future():
    # Intentionally changed: the hand-written check accepted unborn persons; stdnum does not.
    future = timezone.localdate() + dt.timedelta(days=400)
    assert future.year < 2040  # the 2000s individual numbers end with year 39
    value = next(v for i in range(500, 1000) if (v := make_national_id(future, i)))
    with pytest.raises(ValidationError) as exc:
        parse_national_id(value)
    assert exc.value.code == "national_id_future"
    assert "fram i tid" in exc.value.messages[0]


def test_it_refuses_an_h_number_with_a_message_that_says_so():
    real = make_national_id(dt.date(1985, 3, 14), 123)
    # 14 March 1985 with the month + 40
    h_number = next(v for i in range(100, 300) if (v := _with_check_digits(f"144385{i:03d}")))
    assert fodselsnummer.is_valid(h_number)  # stdnum accepts it; Helhet does not
    for allow in (False, True):
        with pytest.raises(ValidationError) as exc:
            parse_national_id(h_number, allow_synthetic=allow)
        assert exc.value.code == "national_id_h_number"
        assert (
            "H-nummer" in exc.value.messages[0]
            and "fødselsnummer eller D-nummer" in exc.value.messages[0]
        )
    assert parse_national_id(real, allow_synthetic=False).is_synthetic is False


def test_synthetic_numbers_need_the_setting(settings):
    value = synthetic_national_id(dt.date(1990, 3, 4), 77)
    assert value[2:4] == "83"  # March + 80
    assert not fodselsnummer.is_valid(value)  # stdnum does not know them

    with pytest.raises(ValidationError) as exc:
        parse_national_id(value, allow_synthetic=False)
    assert exc.value.code == "national_id_synthetic"
    assert "syntetisk" in exc.value.messages[0] and "demo- og testmiljø" in exc.value.messages[0]

    parsed = parse_national_id(value, allow_synthetic=True)
    assert parsed.is_synthetic is True and parsed.birth_date == dt.date(1990, 3, 4)

    # Without the argument the setting decides (the model field validator and the forms use this path).
    settings.HELHET_ALLOW_SYNTHETIC_IDS = False
    with pytest.raises(ValidationError) as exc:
        validate_national_id(value)
    assert exc.value.code == "national_id_synthetic"
    settings.HELHET_ALLOW_SYNTHETIC_IDS = True
    validate_national_id(value)


def test_a_synthetic_number_with_bad_check_digits_is_a_checksum_error_even_in_production():
    value = synthetic_national_id(dt.date(1990, 3, 4), 77)
    broken = value[:10] + str((int(value[10]) + 1) % 10)
    assert _code(broken, allow_synthetic=False) == "national_id_checksum"
    assert _code(broken, allow_synthetic=True) == "national_id_checksum"


def test_a_synthetic_number_in_the_future_is_refused():
    future = timezone.localdate() + dt.timedelta(days=400)
    value = synthetic_national_id(future, 0)
    assert _code(value, allow_synthetic=True) == "national_id_future"


@given(
    st.dates(min_value=dt.date(1900, 1, 1), max_value=timezone.localdate()),
    st.integers(0, 999),
    st.booleans(),
)
def test_every_generated_number_parses_back_to_its_date(birth, seed, d_number):
    value = synthetic_national_id(birth, seed, d_number=d_number)
    parsed = parse_national_id(value, allow_synthetic=True)
    assert parsed.birth_date == birth
    assert parsed.is_d_number is d_number
    assert parsed.is_synthetic is True
    assert _code(value, allow_synthetic=False) == "national_id_synthetic"


@given(st.text(alphabet="0123456789", min_size=11, max_size=11), st.booleans())
def test_any_eleven_digits_either_parse_or_raise_a_validation_error(value, allow):
    try:
        parse_national_id(value, allow_synthetic=allow)
    except ValidationError:
        pass


# ---- the wrapper held against stdnum ----


_EDGE_INDIVIDUALS = (0, 1, 499, 500, 501, 749, 750, 751, 899, 900, 901, 998, 999)
_EDGE_YEARS = (0, 1, 38, 39, 40, 41, 53, 54, 55, 98, 99)
_EDGE_DAY_MONTHS = ((1, 1), (31, 12), (29, 2), (41, 1), (71, 12), (1, 41), (1, 81), (69, 92))


def _sample(rng: random.Random) -> list[str]:
    """≥ 100,000 numbers: random digits, and constructed numbers with correct check digits."""
    out = [f"{rng.randrange(10**11):011d}" for _ in range(40_000)]  # random 11-digit strings
    today = timezone.localdate()
    # Past, present and future: 1854 is the first year stdnum's century rules know, 2039 the last.
    lo, hi = dt.date(1854, 1, 1).toordinal(), dt.date(2039, 12, 31).toordinal()
    while len(out) < 75_000:  # real dates, any individual number (so any century rule), D-numbers
        birth = dt.date.fromordinal(rng.randint(lo, hi))
        day = birth.day + (40 if rng.random() < 0.3 else 0)
        value = _with_check_digits(
            f"{day:02d}{birth.month:02d}{birth.year % 100:02d}{rng.randrange(1000):03d}"
        )
        if value:
            out.append(value)
    # Any day and month: impossible dates, H (41-52), synthetic (81-92), FH (day ≥ 80).
    while len(out) < 95_000:
        value = _with_check_digits(f"{rng.randrange(10**9):09d}")
        if value:
            out.append(value)
    # Century edges: each boundary individual number against each boundary year, on ordinary,
    # D-, H- and synthetic months, and the days around today.
    years = (*_EDGE_YEARS, today.year % 100, (today.year + 1) % 100)
    for individual in _EDGE_INDIVIDUALS:
        for yy in years:
            for day, month in _EDGE_DAY_MONTHS:
                # The next individual numbers too, so a check digit of 10 does not empty a cell.
                for nudge in range(10):
                    value = _with_check_digits(
                        f"{day:02d}{month:02d}{yy:02d}{(individual + nudge) % 1000:03d}"
                    )
                    if value:
                        out.append(value)
                        break
    for delta in range(-40, 41):
        near = today + dt.timedelta(days=delta)
        for individual in range(500, 520):
            if value := _with_check_digits(
                f"{near.day:02d}{near.month:02d}{near.year % 100:02d}{individual:03d}"
            ):
                out.append(value)
    while len(out) < 101_000:
        out.append(f"{rng.randrange(10**11):011d}")
    return out


def _stdnum_verdict(value: str) -> str:
    """What stdnum says, in the wrapper's codes."""
    try:
        fodselsnummer.validate(value)
    except stdnum_errors.InvalidChecksum:
        return "national_id_checksum"
    except stdnum_errors.ValidationError:
        try:
            fodselsnummer.get_birth_date(value)
        except stdnum_errors.ValidationError:
            return "national_id_date"
        return "national_id_future"
    return "ok"


def test_the_wrapper_agrees_with_stdnum_on_more_than_100000_numbers():
    numbers = _sample(random.Random(20260509))
    assert len(numbers) >= 100_000
    seen = Counter()
    for value in numbers:
        month = int(value[2:4])
        is_h, is_synthetic = 40 < month <= 52, 80 < month <= 92
        expected = _stdnum_verdict(value)
        got = _code(value, allow_synthetic=False)
        if is_synthetic:
            # stdnum never accepts these (month - 40 is no month); production refuses them on their own terms.
            assert expected != "ok", value
            if got == "national_id_synthetic":
                seen["synthetic"] += 1
                continue
            assert got == "national_id_checksum" == expected, value
        elif is_h and expected == "ok":
            assert got == "national_id_h_number", value
            seen["h"] += 1
        else:
            assert got == expected, value
        seen[expected] += 1
        if got == "ok":
            parsed = parse_national_id(value, allow_synthetic=False)
            assert parsed.birth_date == fodselsnummer.get_birth_date(value), value
            assert parsed.is_d_number is (int(value[0]) >= 4), value
            assert parsed.is_synthetic is False
            seen["d" if parsed.is_d_number else "fnr"] += 1
    # Every kind of verdict occurred often enough for the comparison to mean something.
    assert seen["fnr"] > 5_000 and seen["d"] > 5_000, seen
    assert seen["national_id_checksum"] > 30_000, seen
    assert seen["national_id_future"] > 1_000 and seen["national_id_date"] > 10_000, seen
    assert seen["h"] > 500 and seen["synthetic"] > 500, seen


def test_synthetic_numbers_follow_stdnum_once_the_real_month_is_put_back():
    """With the setting on, a month + 80 number is accepted exactly when its check digits hold as written
    and stdnum accepts the birth date of the same number with the real month."""
    rng = random.Random(80)
    checked = Counter()
    while sum(checked.values()) < 20_000:
        value = _with_check_digits(
            f"{rng.randrange(72):02d}{rng.randint(81, 92):02d}{rng.randrange(100):02d}{rng.randrange(1000):03d}"
        )
        if not value:
            continue
        real = value[:2] + f"{int(value[2:4]) - 80:02d}" + value[4:]
        try:
            birth = fodselsnummer.get_birth_date(real)
            expected = "ok" if birth <= timezone.localdate() else "national_id_future"
        except stdnum_errors.ValidationError:
            expected = "national_id_date"
        got = _code(value, allow_synthetic=True)
        assert got == expected, value
        if got == "ok":
            parsed = parse_national_id(value, allow_synthetic=True)
            assert parsed.is_synthetic and parsed.birth_date == birth
            assert parsed.is_d_number is (int(value[0]) >= 4)
        assert _code(value, allow_synthetic=False) == "national_id_synthetic"
        checked[got] += 1
    assert (
        checked["ok"] > 1_000
        and checked["national_id_date"] > 1_000
        and checked["national_id_future"] > 100
    ), checked


# ---- organisation numbers ----


def test_org_numbers_are_checked_with_mod11():
    good = make_org_number(93000001)
    validate_org_number(good)
    with pytest.raises(ValidationError) as exc:
        validate_org_number(good[:8] + str((int(good[8]) + 1) % 10))
    assert exc.value.code == "org_number_checksum" and "Kontrollsifferet" in exc.value.messages[0]
    with pytest.raises(ValidationError) as exc:
        validate_org_number("12345")
    assert exc.value.code == "org_number_format" and "9 siffer" in exc.value.messages[0]
    validate_org_number(f"{good[:3]} {good[3:6]} {good[6:]}")


def test_the_org_number_check_agrees_with_stdnum():
    rng = random.Random(9)
    numbers = [f"{rng.randrange(10**9):09d}" for _ in range(5_000)]
    # Valid by construction:
    numbers += [make_org_number(rng.randrange(10**8)) for _ in range(2_000)]
    numbers += ["", "12345678", "1234567890", "12345678a", "98807791 7"]
    accepted = 0
    for value in numbers:
        try:
            validate_org_number(value)
            ok = True
        except ValidationError:
            ok = False
        assert ok is orgnr.is_valid(value), value
        accepted += ok
    assert accepted > 2_000


def test_make_org_number_gives_stdnum_valid_numbers_from_the_prefix():
    for prefix in range(93000000, 93000300):
        value = make_org_number(prefix)
        assert orgnr.is_valid(value) and int(value[:8]) >= prefix
