"""What the browser tests measure on a page: where an element is cut off, what overflows its box,
text contrast; and screenshots to $RSC_SCREENSHOTS (a folder) when set, for a person to look at."""

import os
from pathlib import Path

# Where `selector` is cut off: by the window, or by any ancestor up to the dialog that clips
# (overflow other than visible). [] when the whole element shows.
CLIPPED = """([dialog, selector]) => {
  const node = document.querySelector(selector);
  if (!node || node.offsetParent === null) return ['not shown'];
  const r = node.getBoundingClientRect(), cut = [];
  const inside = b => r.top >= b.top - 1 && r.bottom <= b.bottom + 1 && r.left >= b.left - 1 && r.right <= b.right + 1;
  if (!inside({top: 0, left: 0, bottom: innerHeight, right: innerWidth})) cut.push('window');
  const top = document.querySelector(dialog);
  for (let e = node.parentElement; e && e !== top.parentElement; e = e.parentElement) {
    const s = getComputedStyle(e);
    if ((s.overflowY !== 'visible' || s.overflowX !== 'visible' || e === top) && !inside(e.getBoundingClientRect()))
      cut.push(e.tagName + '#' + e.id + '.' + e.className);
  }
  return cut;
}"""

# Elements in the dialog whose content is wider than their box (cut off or scrolled sideways).
OVERFLOWING = """dialog => Array.from(document.querySelectorAll(dialog + ' *'))
    .filter(e => e.offsetParent !== null && e.tagName !== 'SELECT'
                 && e.scrollWidth > e.clientWidth + 1 && e.clientWidth > 0)
    .map(e => e.tagName + '#' + e.id + '.' + e.className)"""

# WCAG contrast ratio of an element's text against the first opaque background behind it, the
# text's own transparency blended in (themes give secondary text as rgba(..., .54): it reads fainter).
CONTRAST = """sel => {
  const rgb = c => c.match(/[\\d.]+/g).map(Number);
  const lum = ([r, g, b]) => [r, g, b]
      .map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
      .reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
  const node = document.querySelector(sel);
  let bg = null;
  for (let e = node; e && !bg; e = e.parentElement) {
    const c = rgb(getComputedStyle(e).backgroundColor);
    if (c.length < 4 || c[3] > 0.9) { if (!(c.length >= 4 && c[3] === 0)) bg = c; }
  }
  const back = bg || [255, 255, 255], fg = rgb(getComputedStyle(node).color), al = fg.length > 3 ? fg[3] : 1;
  const a = lum(fg.slice(0, 3).map((v, i) => v * al + back[i] * (1 - al))), b = lum(back);
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


def shoot(page, kind, name):
    """A screenshot named after the front end (`kind`) and the state, when $RSC_SCREENSHOTS is set."""
    folder = os.environ.get("RSC_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / ("%s-%s.png" % (kind, name))))
