"""Charts as server-rendered SVG from pygal, fit for the strict CSP (style-src 'self', script-src 'self').

pygal writes a <script> (its tooltips) and a <style> per chart, keyed by a random chart id. Neither may run here:
`bar()` renders without pygal's JavaScript (js=[]), removes every <script>, <style> and style="" attribute
from the SVG, and `stylesheet()` serves pygal's own CSS for the same configuration from our origin (views.chart_css),
with the random id replaced by the class every chart carries. The figures are never drawn by hand.

Every chart is decorative for assistive technology (aria-hidden): the page shows the same figures in a data table.
Values that are suppressed (counts below helhet.statistics.selectors.SMALL) are passed as None and not drawn.
"""

from __future__ import annotations

import re
import sys
import xml.etree.ElementTree as ET

import pygal
from pygal.style import Style

# pygal puts an old-style importer on sys.meta_path (PluginImportFixer, for the separate pygal.maps.* packages, which
# Helhet does not use). It has no find_spec(), and importers that lack it break importlib-based imports that walk
# sys.meta_path (pytest's --import-mode=importlib fails to collect every test module after pygal was imported).
sys.meta_path[:] = [finder for finder in sys.meta_path if type(finder).__name__ != "PluginImportFixer"]

SVG_NS = "http://www.w3.org/2000/svg"
# The SVG namespace is not registered as the default: ElementTree's prefix registry is one per process, and another
# writer registering its own default namespace (the archive export) would turn <svg> into <ns0:svg>. bar() writes the
# elements unqualified with an explicit xmlns instead (inline SVG in HTML needs no more).
ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")

CHART_CLASS = "helhet-chart"

# Designsystemet-like colours with at least 3:1 contrast against white (WCAG 1.4.11 for graphical objects).
STYLE = Style(
    background="transparent", plot_background="transparent", foreground="#1e2b3c", foreground_strong="#1e2b3c",
    foreground_subtle="#68707c", opacity="1", opacity_hover="1", transition="none",
    colors=("#0062ba", "#c05b00", "#06893a", "#7a3fb8", "#b3261e"),
    font_family="Inter, system-ui, sans-serif", label_font_size=13, major_label_font_size=13, value_font_size=13,
    title_font_size=16, legend_font_size=13,
)


def _config(horizontal: bool) -> dict:
    return {"style": STYLE, "js": [], "disable_xml_declaration": True, "show_legend": True, "legend_at_bottom": True,
            "width": 720, "height": 360, "print_values": False, "show_y_guides": True, "horizontal": horizontal,
            "no_data_text": "", "truncate_label": -1, "x_label_rotation": 0}


def _render(labels: list[str], series: list[tuple[str, list[int | None]]], *, horizontal: bool) -> str:
    chart = (pygal.HorizontalBar if horizontal else pygal.Bar)(**_config(horizontal))
    chart.x_labels = [str(x) for x in labels]
    for name, values in series:
        chart.add(str(name), values)
    return chart.render(is_unicode=True)


def _strip(svg_text: str) -> ET.Element:
    root = ET.fromstring(svg_text)
    for parent in list(root.iter()):
        for child in list(parent):
            tag = child.tag.rsplit("}", 1)[-1]
            if tag in ("script", "style") or (parent is root and tag == "title"):  # pygal's own "Pygal" title
                parent.remove(child)
    for el in root.iter():
        el.attrib.pop("style", None)
        for name in [k for k in el.attrib if k.lower().startswith("on")]:  # no event handlers either
            el.attrib.pop(name)
    return root


def bar(*, labels: list[str], series: list[tuple[str, list[int | None]]], horizontal: bool = False) -> str:
    """One bar chart as an SVG string without script or style (mark it safe in the view: it is built from our own
    labels, which ElementTree escapes)."""
    root = _strip(_render(labels, series, horizontal=horizontal))
    root.set("id", "")
    root.attrib.pop("id")
    root.set("class", f"pygal-chart {CHART_CLASS}")
    root.set("aria-hidden", "true")
    root.set("focusable", "false")
    prefix = f"{{{SVG_NS}}}"
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag.startswith(prefix):
            el.tag = el.tag[len(prefix):]
    root.set("xmlns", SVG_NS)
    text = ET.tostring(root, encoding="unicode")
    return re.sub(r"<!--.*?-->", "", text, flags=re.S)


def stylesheet() -> str:
    """pygal's CSS for our configuration, scoped to CHART_CLASS instead of a random chart id."""
    parts = []
    for horizontal in (False, True):
        svg_text = _render(["a"], [("a", [1])], horizontal=horizontal)
        chart_id = re.search(r'id="(chart-[^"]+)"', svg_text).group(1)
        for css in re.findall(r"<style[^>]*>(.*?)</style>", svg_text, flags=re.S):
            parts.append(css.replace(f"#{chart_id}", f".{CHART_CLASS}"))
    # Responsive: the SVG scales with its container (the viewBox keeps the proportions) and never scrolls sideways.
    parts.append(f".{CHART_CLASS}{{width:100%;height:auto;max-width:720px;display:block}}")
    # Tooltips need pygal's JavaScript, which is not served: never show their empty boxes.
    parts.append(f".{CHART_CLASS} .tooltip{{display:none}}")
    parts.append("figure.chart{margin:0 0 1rem 0;max-width:100%}")
    return "\n".join(dict.fromkeys(parts))
