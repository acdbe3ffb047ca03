"""Reflow check for browser tests (WCAG 1.4.10, which axe-core does not test): at 320 px (and any other width) a
page must neither scroll sideways nor cut text off.

    sys.path.insert(0, str(Path(__file__).parent))   # --import-mode=importlib: tests/e2e is not on sys.path
    from reflow import assert_reflows
    assert_reflows(page)                      # 320 px, then back to the page's viewport
    assert_reflows(page, widths=(360, 320))

It fails on
  * the page scrolling sideways (document scrollWidth wider than the viewport);
  * a text element whose box reaches outside the viewport (left of 0 or right of the viewport's width);
  * a text element clipped by an ancestor with overflow hidden/clip (its box outside the ancestor's box), so hiding
    the overflow cannot make a page pass.

What is skipped, and why: elements that are not rendered (display:none, visibility:hidden, zero size), the
visually-hidden text for screen readers (.ds-sr-only and the same clip pattern: a 1×1 px box), and elements inside a
container that scrolls on purpose (overflow-x auto/scroll, e.g. a table wrapper with its own scrollbar: WCAG allows
two-dimensional content such as data tables to scroll). A "text element" is one with a non-empty text node of its own.
"""

from __future__ import annotations

REFLOW_JS = r"""
() => {
  const doc = document.documentElement;
  const vw = doc.clientWidth;
  const out = [];
  const describe = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += '#' + el.id;
    if (el.className && typeof el.className === 'string') s += '.' + el.className.trim().split(/\s+/).join('.');
    const text = (el.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 40);
    return s + (text ? ' "' + text + '"' : '');
  };
  if (doc.scrollWidth > vw + 1) out.push('page scrolls sideways: ' + doc.scrollWidth + ' > ' + vw);
  const srOnly = (el) => {
    for (let a = el; a && a !== document.body; a = a.parentElement) {
      if (a.classList && a.classList.contains('ds-sr-only')) return true;
      const r = a.getBoundingClientRect();
      const cs = getComputedStyle(a);
      if (cs.position === 'absolute' && r.width <= 1 && r.height <= 1) return true;
    }
    return false;
  };
  const ownText = (el) => Array.prototype.some.call(el.childNodes, (n) => n.nodeType === 3 && n.textContent.trim());
  for (const el of document.body.querySelectorAll('*')) {
    if (!ownText(el)) continue;
    if (['SCRIPT', 'STYLE', 'TEMPLATE', 'NOSCRIPT', 'OPTION'].includes(el.tagName)) continue;
    const cs = getComputedStyle(el);
    if (cs.display === 'none' || cs.visibility === 'hidden') continue;
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height) continue;
    if (srOnly(el)) continue;
    let scroller = false;
    let clipped = null;
    for (let a = el.parentElement; a && a !== doc; a = a.parentElement) {
      const acs = getComputedStyle(a);
      if (['auto', 'scroll'].includes(acs.overflowX)) { scroller = true; break; }
      if (['hidden', 'clip'].includes(acs.overflowX) || ['hidden', 'clip'].includes(acs.overflowY)) {
        const ar = a.getBoundingClientRect();
        if (r.left < ar.left - 1 || r.right > ar.right + 1 || r.top < ar.top - 1 || r.bottom > ar.bottom + 1) { clipped = a; break; }
      }
    }
    if (scroller) continue;
    if (clipped) { out.push('clipped by overflow:hidden of ' + describe(clipped) + ': ' + describe(el)); continue; }
    if (r.left < -1 || r.right > vw + 1) out.push('outside the viewport (' + Math.round(r.left) + '..' + Math.round(r.right) + ' of ' + vw + '): ' + describe(el));
    // Text cut inside its own box: a single line wider than the element with overflow hidden (text-overflow: ellipsis).
    if (['hidden', 'clip'].includes(cs.overflowX) && el.scrollWidth > el.clientWidth + 1) out.push('text cut off inside: ' + describe(el));
  }
  return out.slice(0, 10);
}
"""


def reflow_problems(page, width: int = 320) -> list[str]:
    """The reflow problems of the current page at this width (the viewport is left at that width)."""
    size = page.viewport_size or {"width": 360, "height": 740}
    page.set_viewport_size({"width": width, "height": size["height"]})
    return page.evaluate(REFLOW_JS)


def assert_reflows(page, widths=(320,)) -> None:
    """Fail when the current page scrolls sideways or cuts text off at any of these widths; restores the viewport."""
    size = page.viewport_size or {"width": 360, "height": 740}
    try:
        for width in widths:
            problems = reflow_problems(page, width)
            assert not problems, f"{page.url} does not reflow at {width} px:\n  " + "\n  ".join(problems)
    finally:
        page.set_viewport_size(size)
