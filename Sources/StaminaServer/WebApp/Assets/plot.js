// Line charts as SVG, drawn here (the app fetches nothing from elsewhere): the bounds, the window
// (log axis) and the explored states per refinement round, and the bounds against a constant.
// Colours come from classes in app.css (the CSP allows no inline styles); each chart is an image
// with a title and a text description for screen readers.

const NS = 'http://www.w3.org/2000/svg';
let chartCount = 0;

function node(tag, attributes = {}, text) {
  const element = document.createElementNS(NS, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
}

/** About `count` round-numbered ticks covering [min, max]. */
export function linearTicks(min, max, count = 5, integer = false) {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * power).find((s) => s >= raw) || raw;
  const ticks = [];
  const first = Math.ceil(min / step - 1e-9) * step;
  for (let value = first; value <= max + step * 1e-9; value += step) {
    const rounded = Number(value.toPrecision(12));
    if (!integer || Number.isInteger(rounded)) ticks.push(rounded);
  }
  return ticks;
}

/** Powers of ten covering [min, max] (both > 0), thinned to at most about six. */
export function logTicks(min, max) {
  const low = Math.floor(Math.log10(min));
  const high = Math.ceil(Math.log10(max));
  const every = Math.max(1, Math.ceil((high - low) / 6));
  const ticks = [];
  for (let e = low; e <= high; e += every) ticks.push(10 ** e);
  return ticks;
}

export function formatTick(value, log = false) {
  if (value === 0) return '0';
  if (log) return `1e${Math.round(Math.log10(value))}`;
  const magnitude = Math.abs(value);
  if (magnitude >= 1e6) return `${Number((value / 1e6).toPrecision(3))}M`;
  if (magnitude >= 1e4) return `${Number((value / 1e3).toPrecision(3))}k`;
  if (magnitude < 1e-3) return value.toExponential(1);
  return String(Number(value.toPrecision(4)));
}

/** Labels for a set of ticks, with just enough digits to tell neighbours apart. */
export function tickLabels(ticks, log) {
  if (log) return ticks.map((t) => formatTick(t, true));
  const plain = ticks.map((t) => formatTick(t));
  if (new Set(plain).size === plain.length) return plain;
  for (let digits = 5; digits <= 15; digits += 1) {
    const labels = ticks.map((t) => (t === 0 ? '0' : Math.abs(t) < 1e-3 ? t.toExponential(digits - 1) : String(Number(t.toPrecision(digits)))));
    if (new Set(labels).size === labels.length) return labels;
  }
  return plain;
}

function extent(values, log) {
  const usable = values.filter((v) => Number.isFinite(v) && (!log || v > 0));
  if (usable.length === 0) return null;
  let min = Math.min(...usable);
  let max = Math.max(...usable);
  if (log) {
    if (min === max) {
      min /= 10;
      max *= 10;
    }
    return [min, max];
  }
  if (min === max) {
    const pad = Math.abs(min) > 0 ? Math.abs(min) * 0.1 : 1;
    return [min - pad, max + pad];
  }
  const pad = (max - min) * 0.08;
  return [min - pad, max + pad];
}

/**
 * One chart. series: [{label, cls, points: [[x, y], ...]}]; references: [{y, label}] drawn as
 * dashed horizontal lines (the target window). Points whose y cannot be drawn (≤ 0 on a log
 * axis) are left out, and the description says how many.
 */
export function lineChart({ title, xLabel, yLabel, series, references = [], yLog = false, xInteger = false }) {
  const width = 420;
  const height = 250;
  const margin = { left: 64, right: 14, top: 44, bottom: 46 };
  const id = `chart-${++chartCount}`;
  const svg = node('svg', {
    viewBox: `0 0 ${width} ${height}`,
    class: 'chart',
    role: 'img',
    'aria-labelledby': `${id}-title ${id}-desc`,
    preserveAspectRatio: 'xMidYMid meet',
  });
  svg.append(node('title', { id: `${id}-title` }, title));
  const plotted = series.map((s) => ({ ...s, points: s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!yLog || y > 0)) }));
  const dropped = series.reduce((n, s, i) => n + s.points.length - plotted[i].points.length, 0);
  const xs = plotted.flatMap((s) => s.points.map(([x]) => x));
  const ys = plotted.flatMap((s) => s.points.map(([, y]) => y)).concat(references.map((r) => r.y));
  const description = plotted
    .map((s) => `${s.label}: ${s.points.map(([x, y]) => `${formatTick(x)} → ${y}`).join(', ') || 'no points'}`)
    .join('; ');
  svg.append(node('desc', { id: `${id}-desc` }, description + (dropped ? ` (${dropped} points of 0 not drawn on the log axis)` : '')));
  svg.append(node('text', { x: 12, y: 16, class: 'chart-title' }, title));

  const xRange = extent(xs, false);
  const yRange = extent(ys, yLog);
  if (!xRange || !yRange) {
    svg.append(node('text', { x: width / 2, y: height / 2, class: 'chart-empty', 'text-anchor': 'middle' }, 'no data yet'));
    return svg;
  }
  if (xInteger && xs.length > 0) {
    // Rounds: the first to the last, or half a round either side of a single one.
    const [first, last] = [Math.min(...xs), Math.max(...xs)];
    xRange[0] = first === last ? first - 0.5 : first;
    xRange[1] = first === last ? last + 0.5 : last;
  }
  // The left margin fits the longest y tick label (close bounds need many digits).
  const longest = Math.max(...tickLabels(yLog ? logTicks(yRange[0], yRange[1]) : linearTicks(yRange[0], yRange[1]), yLog).map((t) => t.length), 1);
  margin.left = Math.min(110, Math.max(48, 26 + longest * 6.4));
  const innerWidth = width - margin.left - margin.right;
  const innerHeight = height - margin.top - margin.bottom;
  const sx = (x) => margin.left + ((x - xRange[0]) / (xRange[1] - xRange[0])) * innerWidth;
  const ly = (y) => (yLog ? Math.log10(y) : y);
  const sy = (y) => margin.top + innerHeight - ((ly(y) - ly(yRange[0])) / (ly(yRange[1]) - ly(yRange[0]))) * innerHeight;

  const axes = node('g', { class: 'chart-axes' });
  const yTicks = (yLog ? logTicks(yRange[0], yRange[1]) : linearTicks(yRange[0], yRange[1])).filter(
    (tick) => tick >= yRange[0] * (1 - 1e-12) - 1e-300 && tick <= yRange[1] * (1 + 1e-12) + 1e-300,
  );
  const yLabels = tickLabels(yTicks, yLog);
  yTicks.forEach((tick, index) => {
    const y = sy(tick);
    axes.append(node('line', { x1: margin.left, x2: width - margin.right, y1: y, y2: y, class: 'chart-grid' }));
    axes.append(node('text', { x: margin.left - 6, y: y + 4, 'text-anchor': 'end', class: 'chart-tick' }, yLabels[index]));
  });
  const xTicks = linearTicks(xRange[0], xRange[1], 6, xInteger);
  const xLabels = tickLabels(xTicks, false);
  xTicks.forEach((tick, index) => {
    const x = sx(tick);
    axes.append(node('line', { x1: x, x2: x, y1: margin.top + innerHeight, y2: margin.top + innerHeight + 4, class: 'chart-axis' }));
    axes.append(node('text', { x, y: margin.top + innerHeight + 17, 'text-anchor': 'middle', class: 'chart-tick' }, xLabels[index]));
  });
  axes.append(node('line', { x1: margin.left, x2: width - margin.right, y1: margin.top + innerHeight, y2: margin.top + innerHeight, class: 'chart-axis' }));
  axes.append(node('line', { x1: margin.left, x2: margin.left, y1: margin.top, y2: margin.top + innerHeight, class: 'chart-axis' }));
  axes.append(node('text', { x: margin.left + innerWidth / 2, y: height - 8, 'text-anchor': 'middle', class: 'chart-label' }, xLabel));
  axes.append(
    node('text', { x: 14, y: margin.top + innerHeight / 2, 'text-anchor': 'middle', class: 'chart-label', transform: `rotate(-90 14 ${margin.top + innerHeight / 2})` }, yLabel + (yLog ? ' (log)' : '')),
  );
  svg.append(axes);

  for (const reference of references) {
    if (yLog && !(reference.y > 0)) continue;
    const y = sy(reference.y);
    svg.append(node('line', { x1: margin.left, x2: width - margin.right, y1: y, y2: y, class: 'chart-reference' }));
    svg.append(node('text', { x: width - margin.right - 2, y: y - 4, 'text-anchor': 'end', class: 'chart-tick' }, reference.label));
  }

  let legendX = 12;
  for (const s of plotted) {
    const group = node('g', { class: `series ${s.cls}` });
    if (s.points.length > 1) {
      group.append(node('polyline', { points: s.points.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' '), class: 'series-line' }));
    }
    for (const [x, y] of s.points) {
      const dot = node('circle', { cx: sx(x).toFixed(1), cy: sy(y).toFixed(1), r: 3, class: 'series-dot' });
      dot.append(node('title', {}, `${s.label}: ${formatTick(x)} → ${y}`));
      group.append(dot);
    }
    svg.append(group);
    const legend = node('g', { class: `series ${s.cls}` });
    legend.append(node('line', { x1: legendX, x2: legendX + 16, y1: 32, y2: 32, class: 'series-line' }));
    legend.append(node('text', { x: legendX + 20, y: 36, class: 'chart-tick' }, s.label));
    svg.append(legend);
    legendX += 28 + s.label.length * 7;
  }
  return svg;
}
