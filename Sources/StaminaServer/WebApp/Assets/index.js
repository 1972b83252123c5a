// The front page: submit a job (model and properties editable, parameters defaulting to the
// server's /v1/about), show a refused model's diagnostics at their line and column, list the
// caller's jobs (rename, cancel, delete, filter by state), and manage the token kept here.

import { api, storedToken, storeToken } from './api.js';
import { $, el, formatTime, stateBadge, announce, ACTIVE_STATES } from './dom.js';

const EXAMPLE_MODEL = `// A queue that can grow without bound: STAMINA truncates it where the probability mass is small.
ctmc

const double arrival = 2.0;
const double service = 3.0;

module queue
  n : int init 0;
  [] true -> arrival : (n' = n + 1);
  [] n > 0 -> service : (n' = n - 1);
endmodule

label "long" = n >= 10;
`;
const EXAMPLE_PROPERTIES = `P=? [ F<=10 "long" ];
P=? [ n<5 U<=2 n>=8 ];
`;
const PARAMETERS = ['kappa', 'reduceKappa', 'approxFactor', 'window', 'maxIterations'];

let defaults = { method: 'iterative', kappa: 1, reduceKappa: 1.25, approxFactor: 2, window: 0.001, maxIterations: 10 };
let fileNames = { model: 'model.prism', properties: 'properties.csl' };
let nextCursor = null;
let refreshTimer = null;

// ---- submission -------------------------------------------------------------------------------

function resetParameters() {
  for (const name of PARAMETERS) $(`#${name}`).value = defaults[name] ?? '';
  $('#method').value = defaults.method;
}

async function loadAbout() {
  try {
    const about = await api.about();
    defaults = { ...defaults, ...(about.parameterDefaults || {}) };
    const select = $('#method');
    select.replaceChildren(...(about.methods || ['iterative', 'reexploring', 'priority']).map((m) => el('option', { value: m, text: m })));
    $('#footer').textContent = `STAMINA for Servers ${about.version || ''} · API v${about.apiVersion || '1'}`;
  } catch (error) {
    $('#method').replaceChildren(...['iterative', 'reexploring', 'priority'].map((m) => el('option', { value: m, text: m })));
    announce($('#submit-status'), `The server's defaults could not be read: ${error.message}`, 'error');
  }
  resetParameters();
}

function readFileInto(input, textarea, kind) {
  input.addEventListener('change', async () => {
    const file = input.files && input.files[0];
    if (!file) return;
    textarea.value = await file.text();
    fileNames[kind] = file.name;
    clearDiagnostics();
  });
}

function clearDiagnostics() {
  for (const kind of ['model', 'properties']) {
    $(`#${kind}-diagnostics`).replaceChildren();
    $(`#${kind}-text`).removeAttribute('aria-invalid');
  }
  $('#parameter-problem').hidden = true;
}

/** Puts the caret of a textarea at line:column (both from 1) and scrolls it into view. */
function reveal(textarea, line, column) {
  const lines = textarea.value.split('\n');
  let offset = 0;
  for (let i = 0; i < Math.min(line - 1, lines.length); i += 1) offset += lines[i].length + 1;
  offset += Math.max(0, Math.min(column - 1, (lines[line - 1] || '').length));
  textarea.focus();
  textarea.setSelectionRange(offset, Math.min(offset + 1, textarea.value.length));
  const lineHeight = textarea.scrollHeight / Math.max(lines.length, 1);
  textarea.scrollTop = Math.max(0, (line - 3) * lineHeight);
}

/** Which editor a diagnostic's file name belongs to. */
function editorFor(file) {
  if (file === fileNames.properties || file === 'properties.csl' || /\.(csl|props|pctl)$/i.test(file || '')) return 'properties';
  return 'model';
}

function showDiagnostics(diagnostics) {
  for (const diagnostic of diagnostics) {
    const kind = editorFor(diagnostic.file);
    const textarea = $(`#${kind}-text`);
    const source = textarea.value.split('\n')[diagnostic.line - 1];
    textarea.setAttribute('aria-invalid', 'true');
    const where = `${diagnostic.file}:${diagnostic.line}:${diagnostic.column}`;
    const item = el(
      'li',
      { class: 'diagnostic', 'data-line': diagnostic.line, 'data-column': diagnostic.column },
      el('button', {
        type: 'button',
        text: `line ${diagnostic.line}, column ${diagnostic.column}`,
        title: `Go to ${where}`,
        onclick: () => reveal(textarea, diagnostic.line, diagnostic.column),
      }),
      `: ${diagnostic.message}`,
    );
    if (source !== undefined) {
      const gutter = `${diagnostic.line} | `;
      item.append(
        el('pre', {}, gutter + source + '\n', el('span', { class: 'caret', text: ' '.repeat(gutter.length + Math.max(0, diagnostic.column - 1)) + '^' })),
      );
    }
    $(`#${kind}-diagnostics`).append(item);
  }
}

function submission() {
  const value = (id) => $(`#${id}`).value.trim();
  const body = {
    model: { name: fileNames.model, content: $('#model-text').value },
    properties: { name: fileNames.properties, content: $('#properties-text').value },
    method: $('#method').value,
  };
  if (value('job-name')) body.name = value('job-name');
  if (value('constants')) body.constants = value('constants');
  for (const name of PARAMETERS) if (value(name) !== '') body[name] = value(name);
  return body;
}

async function submit(event) {
  event.preventDefault();
  clearDiagnostics();
  const status = $('#submit-status');
  if (!$('#model-text').value.trim() || !$('#properties-text').value.trim()) {
    announce(status, 'Both the model and the properties are needed.', 'error');
    return;
  }
  const button = $('#submit-button');
  button.disabled = true;
  announce(status, 'Checking the model and submitting…', 'info');
  try {
    const job = await api.submit(submission());
    announce(status, `Job ${job.id} submitted.`, 'ok');
    window.location.assign(`job.html?id=${encodeURIComponent(job.id)}`);
  } catch (error) {
    const problem = error.problem || {};
    if (Array.isArray(problem.diagnostics) && problem.diagnostics.length > 0) {
      showDiagnostics(problem.diagnostics);
      announce(status, `The server refused the job: ${problem.title || 'the input does not check'}. See the messages under the text.`, 'error');
      const first = problem.diagnostics[0];
      reveal($(`#${editorFor(first.file)}-text`), first.line, first.column);
    } else if (problem.type && problem.type.endsWith('/invalid-parameters')) {
      announce($('#parameter-problem'), problem.detail, 'error');
      announce(status, 'The server refused the parameters.', 'error');
    } else {
      announce(status, `The server refused the job (${error.status || 'no answer'}): ${error.message}`, 'error');
    }
  } finally {
    button.disabled = false;
  }
}

// ---- my jobs ----------------------------------------------------------------------------------

function jobRow(job) {
  const link = el('a', { href: `job.html?id=${encodeURIComponent(job.id)}`, text: job.name || job.id });
  const nameCell = el('td', { class: 'name-cell' }, link);
  const actions = el('td', { class: 'actions' });
  const row = el('tr', { 'data-id': job.id, 'data-state': job.state }, nameCell, el('td', {}, stateBadge(job.state)), el('td', { class: 'number', text: formatTime(job.createdAt) }), el('td', { class: 'number', text: formatTime(job.finishedAt) }), actions);

  const renameButton = el('button', { type: 'button', class: 'secondary', text: 'Rename', 'aria-label': `Rename ${job.name || job.id}` });
  renameButton.addEventListener('click', () => startRename(job, nameCell, link));
  actions.append(renameButton);
  if (job.state === 'QUEUED' || job.state === 'RUNNING') {
    actions.append(
      el('button', {
        type: 'button',
        class: 'secondary',
        text: 'Cancel',
        'aria-label': `Cancel ${job.name || job.id}`,
        onclick: () => act(() => api.cancel(job.id), `Cancelling ${job.name || job.id}.`),
      }),
    );
  }
  actions.append(
    el('button', {
      type: 'button',
      class: 'danger',
      text: 'Delete',
      'aria-label': `Delete ${job.name || job.id}`,
      onclick: () => {
        if (window.confirm(`Delete the job "${job.name || job.id}" with its log and results?`)) {
          act(() => api.remove(job.id), `Deleted ${job.name || job.id}.`);
        }
      },
    }),
  );
  return row;
}

function startRename(job, cell, link) {
  const input = el('input', { type: 'text', value: job.name || '', 'aria-label': 'New name', maxlength: 200 });
  const save = el('button', { type: 'submit', text: 'Save' });
  const cancel = el('button', { type: 'button', class: 'secondary', text: 'Cancel' });
  const form = el('form', { class: 'row' }, input, save, cancel);
  const restore = () => {
    cell.replaceChildren(link);
    link.focus();
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    act(() => api.rename(job.id, input.value), `Renamed to ${input.value}.`);
  });
  cancel.addEventListener('click', restore);
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') restore();
  });
  cell.replaceChildren(form);
  input.focus();
  input.select();
}

async function act(action, message) {
  try {
    await action();
    announce($('#jobs-status'), message, 'ok');
  } catch (error) {
    announce($('#jobs-status'), error.message, 'error');
  }
  await loadJobs();
}

async function loadJobs({ append = false } = {}) {
  clearTimeout(refreshTimer);
  const body = $('#jobs-table tbody');
  if (!storedToken()) {
    body.replaceChildren(el('tr', {}, el('td', { colspan: 5, text: 'No jobs yet: your first submission creates a token for this browser.' })));
    $('#more-jobs').hidden = true;
    return;
  }
  try {
    const page = await api.jobs({ state: $('#state-filter').value, cursor: append ? nextCursor : null });
    nextCursor = page.nextCursor;
    const rows = page.jobs.map(jobRow);
    if (append) body.append(...rows);
    else body.replaceChildren(...rows);
    if (body.children.length === 0) body.append(el('tr', {}, el('td', { colspan: 5, text: 'No jobs.' })));
    $('#more-jobs').hidden = !nextCursor;
    // Poll while something is still moving, and only while the page is visible.
    if (page.jobs.some((job) => ACTIVE_STATES.has(job.state))) {
      refreshTimer = setTimeout(() => {
        if (document.visibilityState === 'visible') loadJobs();
      }, 3000);
    }
  } catch (error) {
    announce($('#jobs-status'), `Your jobs could not be listed: ${error.message}`, 'error');
  }
}

// ---- token ------------------------------------------------------------------------------------

function showToken() {
  const token = storedToken();
  $('#token-state').textContent = token ? `This browser uses the token ${token.slice(0, 8)}… (kept in this browser only).` : 'This browser has no token yet.';
}

$('#token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const token = $('#token-input').value.trim();
  if (!token) return;
  storeToken(token);
  $('#token-input').value = '';
  showToken();
  loadJobs();
});
$('#forget-token').addEventListener('click', () => {
  if (!window.confirm('Forget the token? Jobs it owns can then only be reached with a copy of it.')) return;
  storeToken('');
  showToken();
  loadJobs();
});

// ---- start ------------------------------------------------------------------------------------

$('#model-text').value = EXAMPLE_MODEL;
$('#properties-text').value = EXAMPLE_PROPERTIES;
readFileInto($('#model-file'), $('#model-text'), 'model');
readFileInto($('#properties-file'), $('#properties-text'), 'properties');
$('#submit-form').addEventListener('submit', submit);
$('#reset-parameters').addEventListener('click', resetParameters);
$('#state-filter').addEventListener('change', () => loadJobs());
$('#refresh-jobs').addEventListener('click', () => loadJobs());
$('#more-jobs').addEventListener('click', () => loadJobs({ append: true }));
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') loadJobs();
});
showToken();
loadAbout();
loadJobs();
