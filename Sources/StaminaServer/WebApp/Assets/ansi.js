// Renders a STAMINA log with its ANSI colours as coloured spans. The legacy endpoints send the
// first server's ANSI headers (ESC[1mESC[34m[INFO]: ESC[0mESC[0m and so on, with < and > escaped
// as entities); /v1 sends the plain text, whose headers are given the same colours here. Only SGR
// sequences (ESC[...m) carry meaning; any other escape sequence is dropped.

const HEADERS = [
  ['[INFO]: ', '\u001b[1m\u001b[34m[INFO]: \u001b[0m\u001b[0m'],
  ['[MESSAGE]: ', '\u001b[1m\u001b[32m[MESSAGE]: \u001b[0m\u001b[0m'],
  ['[WARNING]: ', '\u001b[1m\u001b[33m[WARNING]: \u001b[0m\u001b[0m'],
  ['[ERROR]: ', '\u001b[1m\u001b[31m[ERROR]: \u001b[0m\u001b[0m\u001b[1m'],
];

/** A plain log line with the legacy ANSI header in front, as the first server printed it. */
export function colourPlainLine(line) {
  for (const [plain, coloured] of HEADERS) {
    if (line.startsWith(plain)) return coloured + line.slice(plain.length);
  }
  return line;
}

/** The legacy endpoints escape < and > (their clients insert the log as HTML); undo that. */
export function unescapeLegacy(text) {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>');
}

// eslint-disable-next-line no-control-regex
const SEQUENCE = /\u001b\[([0-9;]*)([A-Za-z])/g;

/** Appends ANSI-coloured lines to a <pre>, keeping the SGR state across lines like a terminal. */
export class AnsiLog {
  constructor(pre) {
    this.pre = pre;
    this.style = { bold: false, fg: null };
  }

  clear() {
    this.pre.textContent = '';
    this.style = { bold: false, fg: null };
  }

  appendLine(line) {
    const fragment = document.createDocumentFragment();
    let last = 0;
    const text = line.replace(/\r/g, '');
    for (const match of text.matchAll(SEQUENCE)) {
      this.#emit(fragment, text.slice(last, match.index));
      last = match.index + match[0].length;
      if (match[2] === 'm') this.#apply(match[1]);
    }
    this.#emit(fragment, text.slice(last));
    fragment.append('\n');
    this.pre.append(fragment);
  }

  #apply(codes) {
    for (const part of (codes === '' ? '0' : codes).split(';')) {
      const code = Number(part);
      if (code === 0) this.style = { bold: false, fg: null };
      else if (code === 1) this.style.bold = true;
      else if (code === 22) this.style.bold = false;
      else if ((code >= 30 && code <= 37) || (code >= 90 && code <= 97)) this.style.fg = code;
      else if (code === 39) this.style.fg = null;
    }
  }

  #emit(fragment, text) {
    // eslint-disable-next-line no-control-regex
    const clean = text.replace(/\u001b/g, '');
    if (!clean) return;
    if (!this.style.bold && this.style.fg === null) {
      fragment.append(clean);
      return;
    }
    const span = document.createElement('span');
    const classes = [];
    if (this.style.bold) classes.push('ansi-bold');
    if (this.style.fg !== null) classes.push(`ansi-fg-${this.style.fg}`);
    span.className = classes.join(' ');
    span.textContent = clean;
    fragment.append(span);
  }
}
