"""Helpers for reading which information categories a response showed (fixtures: tests/conftest.py)."""

from __future__ import annotations

from helhet.consent.categories import CATEGORY_VALUES


def token(category: str) -> str:
    return f"TOKEN-{category.upper()}-Q7"


def visible_tokens(text: str) -> set[str]:
    return {c for c in CATEGORY_VALUES if token(c) in text}
