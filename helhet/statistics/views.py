"""The statistics page, its CSV export and the charts' stylesheet (thin: parse, call the selector, render)."""

from __future__ import annotations

import csv

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from . import charts, selectors


def _org(request) -> str:
    return (request.GET.get("org") or "")[:12]


@login_required
@require_GET
def statistics_page(request):
    stats = selectors.tenant_statistics(actor=request.user, organization_id=_org(request))
    months = [m.start for m in stats.months]
    month_labels = [f"{m:%m.%y}" for m in months]
    chart_months = charts.bar(labels=month_labels, series=[
        (_("Henvendelser"), [selectors.chart_value(m.requests) for m in stats.months]),
        (_("Avgjørelser"), [selectors.chart_value(m.decisions) for m in stats.months]),
    ])

    def rows_chart(rows, name):
        return charts.bar(labels=[r.label for r in rows], series=[(name, [selectors.chart_value(r.count) for r in rows])], horizontal=True)

    context = {
        "stats": stats, "small": selectors.SMALL,
        # Built by pygal from our own labels and counts (ElementTree escapes them); no script, no style.
        "chart_months": mark_safe(chart_months),  # noqa: S308
        "chart_overdue": mark_safe(rows_chart(stats.overdue, _("Forfalte frister"))),  # noqa: S308
        "chart_status": mark_safe(rows_chart(stats.plans_by_status, _("Planer"))),  # noqa: S308
        "chart_sector": mark_safe(rows_chart(stats.plans_by_sector, _("Planer"))),  # noqa: S308
        "chart_load": mark_safe(rows_chart(stats.load, _("Koordinatorer"))),  # noqa: S308
    }
    return render(request, "statistics/statistics.html", context)


@login_required
@require_GET
def statistics_csv(request):
    stats = selectors.tenant_statistics(actor=request.user, organization_id=_org(request), export=True)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="statistikk-{stats.organization.pk}-{stats.today:%Y-%m-%d}.csv"'
    # A byte-order mark and semicolons: what a spreadsheet set to Norwegian opens without an import dialogue.
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    for row in selectors.csv_rows(stats):
        writer.writerow(row)
    return response


@require_GET
def chart_css(request):
    """pygal's stylesheet for the charts, from our origin (style-src 'self'); the same for everyone, no data."""
    response = HttpResponse(charts.stylesheet(), content_type="text/css; charset=utf-8")
    return response
