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


def invalid(field: str, message: str, *, code: str = "invalid") -> DomainError:
    """The one 400 for bad input in one field: {"code": "invalid", "message", "details": {"fields": {field: [message]}}}.

    Services raise it; the API returns it as is and the browser forms put the message on the field
    (HelhetForm.add_domain_error), so both interfaces give the same verdict in the same words."""
    message = str(message)
    return DomainError(code, message, details={"fields": {field: [message]}})


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
    """full_clean() that raises DomainError instead of ValidationError, after the length table (core/limits.py).

    constraints=False leaves database constraints to the database, for services
    that must report a lost race as a 409 from the IntegrityError (a concurrent
    coordinator appointment), not as a 400 from the pre-check.
    """
    from .limits import enforce

    enforce(instance)  # free-text lengths from the one table (helhet/core/limits.py); full_clean skips TextFields
    try:
        instance.full_clean(validate_constraints=False)
    except ValidationError as exc:
        raise from_validation_error(exc) from exc
    if constraints:
        check_constraints(instance)


# A unique constraint that a write would break is a conflict with its own code, never the database's raw text
# ("Constraint “plan_one_open_per_person” is violated."). Services that catch the IntegrityError of a lost race
# (helhet/plans/services.py plan_create) use the same codes; the API maps any other IntegrityError to 409 "conflict".
CONSTRAINT_CONFLICTS: dict[str, str] = {
    "plan_one_open_per_person": "plan_exists",
}


def constraint_conflict(name: str | None) -> Conflict:
    from django.utils.translation import gettext

    code = CONSTRAINT_CONFLICTS.get(name or "", "conflict")
    if code == "plan_exists":
        return Conflict(code, gettext("Personen har allerede en åpen individuell plan. Last siden på nytt."))
    return Conflict(code, gettext("Dette finnes allerede, eller noen andre endret det samtidig. Last siden på nytt og prøv igjen."))


def constraint_name(exc: Exception) -> str | None:
    """The constraint an IntegrityError names (PostgreSQL tells it; SQLite does not)."""
    diag = getattr(getattr(exc, "__cause__", None), "diag", None)
    return getattr(diag, "constraint_name", None)


def check_constraints(instance) -> None:
    """The model's constraints, one by one: a unique one that fails is a 409 (CONSTRAINT_CONFLICTS), a check
    constraint a 400 with a Norwegian message instead of Django's "Constraint … is violated"."""
    from django.db import router
    from django.db.models import UniqueConstraint
    from django.db.models.constraints import BaseConstraint
    from django.utils.translation import gettext

    using = router.db_for_write(type(instance), instance=instance)
    for model, model_constraints in instance.get_constraints():
        for constraint in model_constraints:
            try:
                constraint.validate(model, instance, using=using)
            except ValidationError as exc:
                if isinstance(constraint, UniqueConstraint):
                    raise constraint_conflict(constraint.name) from exc
                if constraint.violation_error_message == BaseConstraint.default_violation_error_message:
                    message = gettext("Opplysningene henger ikke sammen. Kontroller feltene og prøv igjen.")
                    raise DomainError("invalid", message, details={"fields": {}, "constraint": constraint.name}) from exc
                raise from_validation_error(exc) from exc
