"""The one error type for domain failures.

Services raise DomainError; DomainErrorMiddleware (browser) and the ninja
exception handler in helhet/api.py map it to a clear 4xx. `status` is 400 for
bad input, 404 for "not found or not yours" (never 403, which would leak that
the object exists), 409 for conflicts (stale edits, a second active plan or
coordinator).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError


class DomainError(Exception):
    def __init__(self, code: str, message: str, *, status: int = 400, details: dict | None = None):
        super().__init__(message)
        self.code = code
        self.message = str(message)
        self.status = status
        self.details = details or {}

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "details": self.details}


class NotFound(DomainError):
    def __init__(self, message: str | None = None):
        from django.utils.translation import gettext

        super().__init__("not_found", message or gettext("Fant ikke det du ba om."), status=404)


class Conflict(DomainError):
    def __init__(self, code: str, message: str, *, details: dict | None = None):
        super().__init__(code, message, status=409, details=details)


def from_validation_error(exc: ValidationError) -> DomainError:
    """Turn Django's ValidationError (from full_clean) into a 400 DomainError with field messages."""
    if hasattr(exc, "error_dict"):
        fields = {name: [str(m) for e in errs for m in e.messages] for name, errs in exc.error_dict.items()}
        message = "; ".join(m for msgs in fields.values() for m in msgs)
    else:
        fields = {}
        message = "; ".join(exc.messages)
    return DomainError("invalid", message, status=400, details={"fields": fields})


def validate(instance, *, constraints: bool = True) -> None:
    """full_clean() that raises DomainError instead of ValidationError.

    constraints=False leaves database constraints to the database, for services
    that must report a lost race as a 409 from the IntegrityError (a concurrent
    coordinator appointment), not as a 400 from the pre-check.
    """
    try:
        instance.full_clean(validate_constraints=constraints)
    except ValidationError as exc:
        raise from_validation_error(exc) from exc
