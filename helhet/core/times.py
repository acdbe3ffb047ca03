"""Points in time at the interfaces: the API takes them with a UTC offset, the browser as Oslo wall-clock time.

- API (ninja/pydantic): `AwareDateTime` refuses a time without an offset ("2026-03-01T10:00") with a 400 that
  names the format, instead of guessing a zone (before: a naive time reached the service and was a 500 after the
  write, on meeting create and update). Used by helhet/api/meetings.py.
- Browser: `LocalDateTimeField` reads `<input type="datetime-local">` (which has no zone) as Europe/Oslo
  (settings.TIME_ZONE), whatever time zone is active, and refuses a wall-clock time that does not exist or is
  ambiguous (the hour the clocks change) with a Norwegian message. Used by helhet/meetings/forms.py.
- Services: `require_aware(field, value)` is the last net for any other caller (commands, tests, shell).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Annotated

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pydantic import AfterValidator, WithJsonSchema

from .errors import invalid

# Named in every refusal, so a client knows what to send.
API_FORMAT = "ISO 8601 med UTC-forskyvning, f.eks. 2026-03-01T10:00:00+01:00 eller 2026-03-01T09:00:00Z"


def _aware(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        # pydantic turns the ValueError into a 400 {"code": "invalid", "details": {"errors": [...]}} (helhet/api).
        raise ValueError(_("Tidspunktet mangler UTC-forskyvning. Bruk %(format)s.") % {"format": API_FORMAT})
    return value


AwareDateTime = Annotated[
    dt.datetime,
    AfterValidator(_aware),
    WithJsonSchema({"type": "string", "format": "date-time", "description": API_FORMAT}),
]


def require_aware(field: str, value) -> dt.datetime:
    """A DomainError 400 naming the field and the format when `value` is not a datetime with a UTC offset."""
    if not isinstance(value, dt.datetime) or value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise invalid(field, _("Tidspunktet mangler UTC-forskyvning. Bruk %(format)s.") % {"format": API_FORMAT})
    return value


def local_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


class LocalDateTimeField(forms.DateTimeField):
    """A `datetime-local` value read as Oslo time (settings.TIME_ZONE), never the server's or the active zone."""

    default_error_messages = {
        "invalid": gettext_lazy("Skriv dato og klokkeslett, f.eks. 01.03.2026 10:00."),
        "nonexistent": gettext_lazy("Klokkeslettet finnes ikke denne dagen (klokken stilles). Velg et annet tidspunkt."),
    }

    def to_python(self, value):
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            return value
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            result = value
        else:
            # Parse without a zone, then attach Oslo's explicitly.
            result = None
            text = str(value).strip()
            for fmt in self.input_formats:
                try:
                    result = dt.datetime.strptime(text, fmt)
                    break
                except (ValueError, TypeError):
                    continue
            if result is None:
                raise ValidationError(self.error_messages["invalid"], code="invalid")
        zone = local_zone()
        first, second = result.replace(tzinfo=zone, fold=0), result.replace(tzinfo=zone, fold=1)
        # A wall-clock time that does not exist (spring forward) round-trips to another time; an ambiguous one (fall
        # back) has two offsets. Both are refused rather than guessed.
        if first.utcoffset() != second.utcoffset():
            raise ValidationError(self.error_messages["nonexistent"], code="nonexistent")
        return first
