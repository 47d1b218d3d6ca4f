/* Checks of a rendered page for tests/web/test_browser_a11y.py (evaluated by Playwright):
   one h1 and no skipped heading level, every text of an SVG inside its viewBox, a document
   no wider than the viewport. Returns the problems found, as text. */
() => {
  const problems = [];
  const headings = Array.from(document.querySelectorAll("h1, h2, h3, h4, h5, h6"))
    .filter((h) => h.getClientRects().length > 0);
  const ones = headings.filter((h) => h.tagName === "H1").length;
  if (ones !== 1) { problems.push(`${ones} h1 headings`); }
  let last = 0;
  for (const h of headings) {
    const level = Number(h.tagName[1]);
    if (last && level > last + 1) {
      problems.push(`heading ${h.tagName} after h${last}: ${h.textContent.trim().slice(0, 60)}`);
    }
    last = level;
  }
  document.querySelectorAll("svg").forEach((svg) => {
    if (svg.ownerSVGElement || !svg.getClientRects().length) { return; }
    const vb = svg.viewBox.baseVal;
    if (!vb || !vb.width) { return; }
    const inverse = svg.getScreenCTM().inverse();
    svg.querySelectorAll("text").forEach((t) => {
      const b = t.getBBox();
      const m = inverse.multiply(t.getScreenCTM());  // text's user space -> the viewBox's
      const corners = [[b.x, b.y], [b.x + b.width, b.y], [b.x, b.y + b.height],
                       [b.x + b.width, b.y + b.height]]
        .map(([x, y]) => new DOMPoint(x, y).matrixTransform(m));
      const xs = corners.map((p) => p.x), ys = corners.map((p) => p.y);
      const box = [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
      if (box[0] < vb.x - 0.5 || box[1] < vb.y - 0.5 ||
          box[2] > vb.x + vb.width + 0.5 || box[3] > vb.y + vb.height + 0.5) {
        problems.push(`text outside the viewBox of ${svg.getAttribute("aria-label")}: ` +
                      `"${t.textContent}" [${box.map(Math.round)}] in ` +
                      `[${[vb.x, vb.y, vb.width, vb.height]}]`);
      }
    });
  });
  const wide = document.documentElement.scrollWidth;
  if (wide > window.innerWidth) {
    problems.push(`document ${wide} px wide in a ${window.innerWidth} px viewport`);
  }
  return problems;
}
