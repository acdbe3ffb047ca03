"""Norwegian identifiers: fødselsnummer / D-nummer and organisasjonsnummer.

The checks are python-stdnum's (`stdnum.no.fodselsnummer`, `stdnum.no.orgnr`); this module is
the project's wrapper around them: it turns stdnum's exceptions into ValidationErrors with
Norwegian messages and adds Helhet's policy (docs/decisions/0002-national-ids.md):

- H-numbers (month + 40) are refused: stdnum accepts them, but they are local, temporary
  numbers of one health institution, not a national identity.
- Synthetic test numbers (month + 80, Skatteetaten's Tenor convention) are accepted only when
  settings.HELHET_ALLOW_SYNTHETIC_IDS is on (demo and tests), and are marked `is_synthetic`.
  stdnum does not know them.

Pure functions; the model validators (people.Person, organizations.*) and the forms call them.
tests/core/test_validators.py holds the wrapper against stdnum on more than 10^5 numbers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum import exceptions as stdnum_errors
from stdnum.no import fodselsnummer, orgnr

H_MONTH_OFFSET = 40  # H-nummer: month + 40 (stdnum accepts; Helhet refuses)
SYNTHETIC_MONTH_OFFSET = (
    80  # syntetisk fødselsnummer (Tenor): month + 80 (only with HELHET_ALLOW_SYNTHETIC_IDS)
)


@dataclass(frozen=True)
class NationalId:
    value: str
    birth_date: dt.date
    is_d_number: bool
    is_synthetic: bool = False


def _format_error() -> ValidationError:
    return ValidationError(_("Fødselsnummer/D-nummer må ha 11 siffer."), code="national_id_format")


def _checksum_error() -> ValidationError:
    return ValidationError(
        _("Kontrollsifrene i fødselsnummeret stemmer ikke."), code="national_id_checksum"
    )


def _date_error() -> ValidationError:
    return ValidationError(_("Fødselsnummeret har en ugyldig dato."), code="national_id_date")


def _future_error() -> ValidationError:
    return ValidationError(
        _("Fødselsdatoen i fødselsnummeret ligger fram i tid."), code="national_id_future"
    )


def _check_digits_match(value: str) -> bool:
    # stdnum's own check-digit functions; a remainder that needs "10" never matches one digit.
    return value[9] == fodselsnummer.calc_check_digit1(value[:9]) and value[
        10
    ] == fodselsnummer.calc_check_digit2(value[:10])


def _birth_date(value: str) -> dt.date:
    """stdnum's birth date (D-number day, century from the individual number), or the Norwegian date error."""
    try:
        return fodselsnummer.get_birth_date(value)
    except stdnum_errors.ValidationError as exc:
        raise _date_error() from exc


def _parse_synthetic(value: str, allow: bool) -> NationalId:
    # The check digits of a synthetic number cover the digits as written (month + 80); the birth date
    # is read by stdnum from the same number with the real month put back.
    if not _check_digits_match(value):
        raise _checksum_error()
    if not allow:
        raise ValidationError(
            _(
                "Dette er et syntetisk fødselsnummer (testnummer). Syntetiske numre godtas bare i demo- og testmiljø."
            ),
            code="national_id_synthetic",
        )
    real_month = int(value[2:4]) - SYNTHETIC_MONTH_OFFSET
    birth = _birth_date(value[:2] + f"{real_month:02d}" + value[4:])
    # The same "today" stdnum's validate() compares with, so both paths refuse the same dates.
    if birth > timezone.localdate():
        raise _future_error()
    return NationalId(
        value=value, birth_date=birth, is_d_number=int(value[0:2]) > 40, is_synthetic=True
    )


def parse_national_id(value: str, *, allow_synthetic: bool | None = None) -> NationalId:
    """Parse an 11-digit fødselsnummer or D-nummer; raise ValidationError with a Norwegian message.

    Spaces are ignored (people/forms.py and people/services.py strip them the same way).
    allow_synthetic defaults to settings.HELHET_ALLOW_SYNTHETIC_IDS (the tests pass it explicitly)."""
    if allow_synthetic is None:
        allow_synthetic = getattr(settings, "HELHET_ALLOW_SYNTHETIC_IDS", False)
    value = (value or "").replace(" ", "")
    if len(value) != 11 or not value.isdigit():
        raise _format_error()
    month = int(value[2:4])
    if SYNTHETIC_MONTH_OFFSET < month <= SYNTHETIC_MONTH_OFFSET + 12:
        return _parse_synthetic(value, allow_synthetic)
    try:
        fodselsnummer.validate(value)
    except stdnum_errors.InvalidChecksum as exc:
        raise _checksum_error() from exc
    except (stdnum_errors.InvalidLength, stdnum_errors.InvalidFormat) as exc:
        raise _format_error() from exc
    except stdnum_errors.ValidationError as exc:
        # InvalidComponent: an impossible date, an undeterminable century, or a birth date in the
        # future. get_birth_date tells the first two apart from the last.
        _birth_date(value)
        raise _future_error() from exc
    if H_MONTH_OFFSET < month <= H_MONTH_OFFSET + 12:
        raise ValidationError(
            _(
                "Dette er et H-nummer (et midlertidig nummer fra en helseinstitusjon), ikke et fødselsnummer "
                "eller D-nummer. Registrer personen med fødselsnummer eller D-nummer."
            ),
            code="national_id_h_number",
        )
    return NationalId(
        value=value,
        birth_date=fodselsnummer.get_birth_date(value),
        is_d_number=int(value[0:2]) > 40,
    )


def validate_national_id(value: str) -> None:
    parse_national_id(value)


def make_national_id(
    birth: dt.date, individual: int, *, d_number: bool = False, synthetic: bool = False
) -> str | None:
    """Build a number with valid check digits for demo/test data; None if this individual number has none.

    synthetic=True adds 80 to the month (a Tenor test number: never a real person's, accepted only with
    HELHET_ALLOW_SYNTHETIC_IDS). The individual number must fit the birth year's century (see stdnum)."""
    day = birth.day + (40 if d_number else 0)
    month = birth.month + (SYNTHETIC_MONTH_OFFSET if synthetic else 0)
    base = f"{day:02d}{month:02d}{birth.year % 100:02d}{individual:03d}"
    k1 = fodselsnummer.calc_check_digit1(base)
    if len(k1) != 1:
        return None
    k2 = fodselsnummer.calc_check_digit2(base + k1)
    if len(k2) != 1:
        return None
    return base + k1 + k2


def validate_org_number(value: str) -> None:
    value = (value or "").replace(" ", "")
    if len(value) != 9 or not value.isdigit():
        raise ValidationError(_("Organisasjonsnummer må ha 9 siffer."), code="org_number_format")
    try:
        orgnr.validate(value)
    except stdnum_errors.ValidationError as exc:
        raise ValidationError(
            _("Kontrollsifferet i organisasjonsnummeret stemmer ikke."), code="org_number_checksum"
        ) from exc


def make_org_number(prefix: int) -> str:
    """A valid synthetic organisation number from an 8-digit prefix (skips prefixes with no valid check digit)."""
    while True:
        base = f"{prefix:08d}"
        for check in "0123456789":
            if orgnr.is_valid(base + check):
                return base + check
        prefix += 1
