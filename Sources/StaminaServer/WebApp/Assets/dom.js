// Small DOM helpers shared by the pages. Text always goes in as text nodes (never as HTML), so
// nothing a job's name, log or model contains can become markup.

export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'class') node.className = value;
    else if (name === 'text') node.textContent = value;
    else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export const $ = (selector, root = document) => root.querySelector(selector);

export function formatTime(text) {
  if (!text) return '';
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) return text;
  return date.toLocaleString(undefined, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}

/** Probabilities keep their digits (the point of the tool); other numbers are shortened. */
export function formatProbability(value) {
  if (value === null || value === undefined) return '–';
  if (value === 0 || value === 1) return String(value);
  return Math.abs(value) < 1e-4 ? value.toExponential(6) : value.toPrecision(10).replace(/0+$/, '').replace(/\.$/, '');
}

export function formatCount(value) {
  if (value === null || value === undefined) return '–';
  return Number(value).toLocaleString('en-US');
}

export function formatSeconds(value) {
  if (value === null || value === undefined) return '–';
  if (value < 1) return `${(value * 1000).toPrecision(3)} ms`;
  if (value < 120) return `${value.toPrecision(3)} s`;
  return `${Math.floor(value / 60)} min ${Math.round(value % 60)} s`;
}

export function formatBytes(value) {
  if (!value) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let index = 0;
  while (value >= 1024 && index < units.length - 1) {
    value /= 1024;
    index += 1;
  }
  return `${value.toPrecision(3)} ${units[index]}`;
}

export const ACTIVE_STATES = new Set(['QUEUED', 'RUNNING', 'CANCELLING']);
export const TERMINAL_STATES = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED', 'PRUNED']);

export function stateBadge(state) {
  return el('span', { class: `state state-${String(state).toLowerCase()}`, text: String(state).toLowerCase() });
}

/** Saves a blob under a name (the response needed the Authorization header, so no plain link). */
export function saveBlob(blob, name) {
  const url = URL.createObjectURL(blob);
  const link = el('a', { href: url, download: name, class: 'hidden' });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Shows a message in a live region; kind is 'info', 'ok' or 'error'. */
export function announce(region, message, kind = 'info') {
  region.textContent = message;
  region.className = `notice notice-${kind}`;
  region.hidden = !message;
}
