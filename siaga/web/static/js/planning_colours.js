// Colour classes of the planning map and its legend (the legend's swatches are CSS classes in
// planning.css with the same colours: no inline styles under the CSP).

export const COVERAGE_BREAKS = [0.2, 0.5, 0.8, 0.99];  // share of the desa's people covered
export const COVERAGE_COLOURS = ["#d7191c", "#fdae61", "#ffffbf", "#a6d96a", "#1a9641"];
export const DENSITY_BREAKS = [25, 100, 500, 2000];  // people per km²
export const DENSITY_COLOURS = ["#f2f0f7", "#cbc9e2", "#9e9ac8", "#756bb1", "#54278f"];
export const BAND_COLOURS = ["#006837", "#31a354", "#78c679", "#c2e699", "#ffffcc"];  // 5, 8, 10, 15, 30 min

/** The class (0..breaks.length) a value falls in. */
export function classOf(value, breaks) {
  let k = 0;
  while (k < breaks.length && value >= breaks[k]) { k += 1; }
  return k;
}

/** Legend labels of the classes: "< 20", "20–50", …, "≥ 99". */
export function classLabels(breaks, scale = 1) {
  const v = (x) => String(Math.round(x * scale));
  return [`< ${v(breaks[0])}`, ...breaks.slice(1).map((b, i) => `${v(breaks[i])}–${v(b)}`), `≥ ${v(breaks[breaks.length - 1])}`];
}
