"""Case process: requests, assessments, decisions, appeals, coordinator appointments."""

from ninja import Router

PREFIX = "/cases"
router = Router(tags=["cases"])
