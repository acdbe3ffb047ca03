"""Norwegian identifiers: fødselsnummer / D-nummer and organisasjonsnummer.

Pure functions; the model validators and the API schemas both call them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_K1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_K2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
_ORG = (3, 2, 7, 6, 5, 4, 3, 2)


def _mod11(digits: str, weights: tuple[int, ...]) -> int | None:
    """The mod-11 check digit, or None when the remainder makes the number impossible."""
    remainder = sum(int(d) * w for d, w in zip(digits, weights, strict=False)) % 11
    check = 0 if remainder == 0 else 11 - remainder
    return None if check == 10 else check


@dataclass(frozen=True)
class NationalId:
    value: str
    birth_date: dt.date
    is_d_number: bool


def parse_national_id(value: str) -> NationalId:
    """Parse an 11-digit fødselsnummer or D-nummer; raise ValidationError with a Norwegian message."""
    value = (value or "").replace(" ", "")
    if len(value) != 11 or not value.isdigit():
        raise ValidationError(_("Fødselsnummer/D-nummer må ha 11 siffer."), code="national_id_format")
    if _mod11(value[:9], _K1) != int(value[9]) or _mod11(value[:10], _K2) != int(value[10]):
        raise ValidationError(_("Kontrollsifrene i fødselsnummeret stemmer ikke."), code="national_id_checksum")
    day, month, yy, individual = int(value[0:2]), int(value[2:4]), int(value[4:6]), int(value[6:9])
    is_d = day > 40
    if is_d:
        day -= 40
    # Synthetic numbers from Skatteetaten's test environment add 80 to the month; accept them.
    if month > 80:
        month -= 80
    elif month > 40:
        month -= 40
    if individual <= 499:
        century = 1900
    elif individual <= 749 and yy >= 54:
        century = 1800
    elif individual <= 999 and yy <= 39:
        century = 2000
    elif 900 <= individual <= 999 and yy >= 40:
        century = 1900
    else:
        century = 1900
    try:
        birth = dt.date(century + yy, month, day)
    except ValueError as exc:
        raise ValidationError(_("Fødselsnummeret har en ugyldig dato."), code="national_id_date") from exc
    return NationalId(value=value, birth_date=birth, is_d_number=is_d)


def validate_national_id(value: str) -> None:
    parse_national_id(value)


def make_national_id(birth: dt.date, individual: int, *, d_number: bool = False) -> str | None:
    """Build a valid number for synthetic (demo/test) data; None if this individual number has no valid check digits."""
    day = birth.day + (40 if d_number else 0)
    base = f"{day:02d}{birth.month:02d}{birth.year % 100:02d}{individual:03d}"
    k1 = _mod11(base, _K1)
    if k1 is None:
        return None
    k2 = _mod11(base + str(k1), _K2)
    if k2 is None:
        return None
    return base + str(k1) + str(k2)


def validate_org_number(value: str) -> None:
    value = (value or "").replace(" ", "")
    if len(value) != 9 or not value.isdigit():
        raise ValidationError(_("Organisasjonsnummer må ha 9 siffer."), code="org_number_format")
    if _mod11(value[:8], _ORG) != int(value[8]):
        raise ValidationError(_("Kontrollsifferet i organisasjonsnummeret stemmer ikke."), code="org_number_checksum")


def make_org_number(prefix: int) -> str:
    """A valid synthetic organisation number from an 8-digit prefix (skips prefixes with no valid check digit)."""
    while True:
        base = f"{prefix:08d}"
        check = _mod11(base, _ORG)
        if check is not None:
            return base + str(check)
        prefix += 1
