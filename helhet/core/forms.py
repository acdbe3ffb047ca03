"""The interface kit for browser forms: one form base and one form → service → error loop.

`HelhetForm` is the base of every browser form: Designsystemet classes on the widgets, error messages tied to their
input with aria-describedby (WCAG 1.3.1/3.3.1), a DomainError's field messages put on the fields they name, and the
version a stale edit is rebased on.

`submit()` is the one loop every view runs: GET shows the form; POST validates it (invalid input is a 400 and never
reaches the service), calls the one service, and maps a DomainError to the form (400 bad input, 409 conflict; after
a conflict the form builds on the current version, so the next save goes through once the user has seen what
changed). "Not found or not yours" goes on to DomainErrorMiddleware as a 404. Validation itself lives in the
services (field lengths from helhet/core/limits.py), so a browser form and the API give the same verdict.

`form_page()` is `submit()` for a form on its own page with POST-redirect-GET; views that answer htmx with a
fragment (helhet/plans/views.py) use `submit()` and render the fragment themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.forms.boundfield import BoundField
from django.shortcuts import redirect, render
from django.utils import timezone

from helhet.core.errors import DomainError

VERSION_FIELD = "based_on_version"


class HelhetBoundField(BoundField):
    """Links help text and error messages to the input (WCAG 1.3.1/3.3.1); ids match people/_field.html."""

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        if self.auto_id and not widget.is_hidden and not self.use_fieldset:
            ids = []
            if self.field.help_text:
                ids.append(f"{self.auto_id}_helptext")
            if self.errors:
                ids.append(f"{self.auto_id}_error")
            if ids:
                attrs["aria-describedby"] = " ".join(ids)
            else:
                attrs.pop("aria-describedby", None)
        return attrs


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def today():
    return timezone.localdate()


class HelhetForm(forms.Form):
    bound_field_class = HelhetBoundField
    template_name = "people/_form_fields.html"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "ds-input")
            if isinstance(field.widget, forms.Textarea):
                field.widget.attrs.setdefault("rows", 3)

    def add_domain_error(self, error) -> None:
        """Put a DomainError's field messages on the fields they name; the message itself is shown in the alert."""
        fields = (error.details or {}).get("fields") or {}
        for name, msgs in fields.items():
            target = name if name in self.fields else None
            for msg in msgs:
                self.add_error(target, msg)

    def set_version(self, version: int) -> None:
        """After a conflict the user has seen what changed: the next save builds on the current version."""
        if VERSION_FIELD not in self.fields:
            return
        if self.is_bound:
            self.data = self.data.copy()
            self.data[self.add_prefix(VERSION_FIELD)] = str(version)
        self.initial[VERSION_FIELD] = version


@dataclass
class Outcome:
    """What one pass of the loop gave: `done` with the service's `result`, or the `error`/`status` to show."""

    done: bool = False
    result: Any = None
    error: DomainError | None = None
    status: int = 200


def submit(request, form, run, *, also_valid=()) -> Outcome:
    """The one form → service → error loop (see the module's doc). `run(cleaned_data)` calls the service;
    `also_valid` are formsets that must be valid too."""
    if request.method != "POST":
        return Outcome()
    valid = form.is_valid()
    valid = all([valid, *(extra.is_valid() for extra in also_valid)])
    if not valid:
        return Outcome(status=400)
    try:
        result = run(form.cleaned_data)
    except DomainError as exc:
        if exc.status == 404:
            raise
        form.add_domain_error(exc)
        current = (exc.details or {}).get("current_version") if exc.code == "stale" else None
        if current and hasattr(form, "set_version"):
            form.set_version(current)
        return Outcome(error=exc, status=exc.status)
    return Outcome(done=True, result=result)


def form_page(request, *, form, template: str, context: dict, run, success, message: str | None, also_valid=()):
    """GET shows the form; POST runs `submit()` and redirects to `success(result)` with `message` (POST-redirect-GET),
    or shows the form again with its errors and status."""
    outcome = submit(request, form, run, also_valid=also_valid)
    if outcome.done:
        if message:
            messages.success(request, message)
        return redirect(success(outcome.result))
    return render(request, template, {**context, "form": form, "error": outcome.error}, status=outcome.status)
