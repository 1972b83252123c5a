// The job page (/job.html?id=ID, where the legacy from_web redirect lands): live progress over
// Server-Sent Events, plots per property, the results table, the coloured log, downloads and a
// curl command for the same submission.
//
// Two kinds of job reach this page. A /v1 job belongs to a token: it is read with the token this
// browser keeps. A legacy job (submitted with from_web by the first server's web client) belongs
// to the submitter's address and /v1 answers 404 for it; the page then falls back to the legacy
// endpoints, where the job id is the credential (POST /jobs with id, /kill, /rename, DELETE
// /jobs), polling them, and takes the rounds and results from the log text.

import { api, legacy, readEvents, storedToken, ApiError } from './api.js';
import { AnsiLog, colourPlainLine, unescapeLegacy } from './ansi.js';
import { lineChart } from './plot.js';
import { $, el, formatTime, formatProbability, formatCount, formatSeconds, formatBytes, stateBadge, announce, saveBlob, TERMINAL_STATES } from './dom.js';

const id = new URLSearchParams(window.location.search).get('id') || '';
const log = new AnsiLog($('#log'));
const LEGACY_STATES = { created: 'QUEUED', running: 'RUNNING', exited: 'SUCCEEDED', killed: 'CANCELLED', pruned: 'PRUNED' };

/** Legacy 'exited' means finished whatever the outcome; the log's last message tells which. */
function legacyState(job) {
  if (job.status === 'exited' && !/Finished running!/.test(job.logs || '')) return 'FAILED';
  return LEGACY_STATES[job.status] || 'QUEUED';
}

const page = {
  mode: 'v1',
  job: null,
  state: null,
  rounds: new Map(), // property index -> rounds from the live events (or the legacy log)
  result: null,
  legacyResults: [],
  lastEventID: null,
};

// ---- loading ----------------------------------------------------------------------------------

async function start() {
  if (!/^[a-z0-9]{1,64}$/.test(id)) {
    announce($('#job-status'), 'This page needs a job id: job.html?id=…', 'error');
    return;
  }
  document.title = `STAMINA job ${id}`;
  if (storedToken()) {
    try {
      page.job = await api.job(id);
      showV1Job();
      return;
    } catch (error) {
      if (!(error instanceof ApiError) || (error.status !== 404 && error.status !== 401)) {
        announce($('#job-status'), `The job could not be read: ${error.message}`, 'error');
        return;
      }
    }
  }
  try {
    const job = await legacy.lookup(id);
    page.mode = 'legacy';
    showLegacyJob(job);
  } catch (error) {
    const message = error.status === 404
      ? `No job ${id} is visible here: it does not exist, was deleted, or belongs to another token (paste that token on the front page).`
      : `The job could not be read: ${error.message}`;
    announce($('#job-status'), message, 'error');
  }
}

function setState(state) {
  page.state = state;
  const badge = $('#state-badge');
  if (badge) {
    const fresh = stateBadge(state);
    badge.className = fresh.className;
    badge.textContent = fresh.textContent;
  }
  $('#cancel-job').hidden = !(state === 'QUEUED' || state === 'RUNNING');
}

function showTitle(name) {
  $('#job-title').replaceChildren(el('span', { text: name || `Job ${id}` }), ' ', Object.assign(stateBadge(page.state || 'QUEUED'), { id: 'state-badge' }));
}

// ---- /v1 jobs ---------------------------------------------------------------------------------

function showV1Job() {
  const job = page.job;
  $('#job-body').hidden = false;
  page.state = job.state;
  showTitle(job.name);
  setState(job.state);
  $('#rename-input').value = job.name || '';
  showMeta(job);
  showCurl(job);
  showDownloads();
  follow();
}

function showMeta(job) {
  const p = job.parameters || {};
  const rows = [
    ['Job id', job.id],
    ['Submitted', formatTime(job.createdAt)],
    ['Started', formatTime(job.startedAt) || '–'],
    ['Finished', formatTime(job.finishedAt) || '–'],
    ['Model', job.modelFile],
    ['Properties', job.propertiesFile],
    ['Method', `${p.method}, kappa ${p.kappa}, reduceKappa ${p.reduceKappa}, approxFactor ${p.approxFactor}, window ${p.window}, rounds ${p.maxIterations}`],
  ];
  if (p.constants) rows.push(['Constants', p.constants]);
  if (job.failureReason) rows.push(['Failure', `${job.failureReason}${job.failureMessage ? `: ${job.failureMessage}` : ''}`]);
  $('#job-meta').replaceChildren(...rows.flatMap(([term, value]) => [el('dt', { text: term }), el('dd', { text: value ?? '' })]));
}

/** Reads the event stream until the job is terminal, resuming with Last-Event-ID after a drop. */
async function follow() {
  let failures = 0;
  // At least one pass: for a job that had already finished, the stream replays its log and
  // rounds, then its final state, and ends.
  let replayed = false;
  while (!replayed || !TERMINAL_STATES.has(page.state)) {
    replayed = true;
    try {
      const response = await api.events(id, page.lastEventID);
      failures = 0;
      await readEvents(response, onEvent);
    } catch (error) {
      failures += 1;
      if (error.status === 404) {
        announce($('#job-status'), 'The job is gone (deleted).', 'error');
        return;
      }
      if (failures > 3) announce($('#job-status'), `Live updates interrupted (${error.message}); retrying…`, 'error');
    }
    if (!TERMINAL_STATES.has(page.state)) await new Promise((resolve) => setTimeout(resolve, Math.min(1000 * 2 ** failures, 15000)));
  }
  if (failures === 0) $('#job-status').hidden = true;
}

function onEvent(event) {
  if (event.id) page.lastEventID = event.id;
  if (event.type === 'log') {
    log.appendLine(colourPlainLine(event.data));
    const pre = $('#log');
    if (pre.scrollHeight - pre.scrollTop - pre.clientHeight < 80) pre.scrollTop = pre.scrollHeight;
    return;
  }
  let data;
  try {
    data = JSON.parse(event.data);
  } catch {
    return;
  }
  if (event.type === 'round') {
    addRound(data.property, data);
    showProgress(data);
    schedulePlots();
  } else if (event.type === 'state') {
    setState(data.state);
    if (TERMINAL_STATES.has(data.state)) finish();
  }
}

function addRound(property, round) {
  if (!page.rounds.has(property)) page.rounds.set(property, []);
  const list = page.rounds.get(property);
  if (!list.some((r) => r.iteration === round.iteration)) list.push(round);
}

function showProgress(round) {
  $('#progress').textContent = `Property ${round.property + 1}, round ${round.iteration}: kappa ${round.kappa.toPrecision(3)}, ${formatCount(round.states)} states, Pmin ${formatProbability(round.pmin)}, Pmax ${formatProbability(round.pmax)}`;
}

async function finish() {
  try {
    page.job = await api.job(id);
    showTitle(page.job.name);
    setState(page.job.state);
    showMeta(page.job);
  } catch {
    // The events already said the job is terminal; the resource is only for the times.
  }
  if (page.state === 'PRUNED') {
    $('#results-empty').textContent = 'The job was pruned after its retention time; its results were removed.';
    return;
  }
  try {
    page.result = await api.result(id);
  } catch (error) {
    $('#results-empty').textContent = `No results: ${error.message}`;
  }
  $('#progress').textContent = page.state === 'SUCCEEDED' ? 'Finished.' : `The job ended: ${page.state.toLowerCase()}${page.job && page.job.failureReason ? ` (${page.job.failureReason})` : ''}.`;
  showResults();
  drawPlots();
  showDownloads();
}

// ---- results and plots ------------------------------------------------------------------------

/** One row per property result: from the result document, else from the legacy log. */
function propertyResults() {
  if (page.result && Array.isArray(page.result.properties)) {
    return page.result.properties.map((p, index) => ({
      index,
      label: propertyLabel(p, index),
      pmin: p.pmin,
      pmax: p.pmax,
      window: p.window ?? (p.pmax != null && p.pmin != null ? p.pmax - p.pmin : null),
      windowReached: p.windowReached,
      states: p.states,
      iterations: p.iterations,
      seconds: p.seconds && p.seconds.total,
      error: p.error && (p.error.message || String(p.error)),
      rounds: Array.isArray(p.rounds) ? p.rounds : [],
      constants: p.constants && typeof p.constants === 'object' ? p.constants : null,
    }));
  }
  return page.legacyResults;
}

function propertyLabel(p, index) {
  const name = p.name ? `"${p.name}": ` : '';
  const text = p.text || `Property ${index + 1}`;
  const constants = p.constants && typeof p.constants === 'object' ? ` (${Object.entries(p.constants).map(([k, v]) => `${k}=${v}`).join(', ')})` : '';
  return name + text + constants;
}

function showResults() {
  const results = propertyResults();
  const body = $('#results-table tbody');
  body.replaceChildren(
    ...results.map((r) =>
      el(
        'tr',
        {},
        el('th', { scope: 'row', text: r.label }),
        el('td', { class: 'number', text: formatProbability(r.pmin) }),
        el('td', { class: 'number', text: formatProbability(r.pmax) }),
        el('td', { class: 'number', text: r.window == null ? '–' : r.window.toExponential(3) }),
        el('td', { text: r.error ? `error: ${r.error}` : r.windowReached == null ? '–' : r.windowReached ? 'yes' : 'no' }),
        el('td', { class: 'number', text: formatCount(r.states) }),
        el('td', { class: 'number', text: r.iterations ?? '–' }),
        el('td', { class: 'number', text: formatSeconds(r.seconds) }),
      ),
    ),
  );
  $('#results-table').hidden = results.length === 0;
  $('#results-empty').hidden = results.length > 0;
  const run = page.result && page.result.run;
  if (run) {
    const rows = [
      ['Wall time', formatSeconds(run.wallSeconds)],
      ['CPU time', formatSeconds(run.cpuSeconds)],
      ['Peak memory', formatBytes(run.peakMemoryBytes)],
    ];
    if (page.result.engine) rows.push(['Engine', `${page.result.engine.name} ${page.result.engine.version}`]);
    if (run.message) rows.push(['Message', run.message]);
    $('#run-meta').replaceChildren(...rows.flatMap(([term, value]) => [el('dt', { text: term }), el('dd', { text: value })]));
  }
}

let plotsPending = false;
function schedulePlots() {
  if (plotsPending) return;
  plotsPending = true;
  requestAnimationFrame(() => {
    plotsPending = false;
    drawPlots();
  });
}

function drawPlots() {
  const results = propertyResults();
  const byIndex = new Map();
  for (const r of results) if (r.rounds.length > 0) byIndex.set(r.index, { label: r.label, rounds: r.rounds });
  for (const [index, rounds] of page.rounds) {
    if (!byIndex.has(index)) byIndex.set(index, { label: (results[index] && results[index].label) || `Property ${index + 1}`, rounds });
  }
  const target = page.job && page.job.parameters ? page.job.parameters.window : null;
  const figures = [...byIndex.entries()]
    .sort(([a], [b]) => a - b)
    .map(([index, { label, rounds }]) => {
      const sorted = [...rounds].sort((a, b) => a.iteration - b.iteration);
      const at = (key) => sorted.map((r) => [r.iteration, r[key]]);
      return el(
        'figure',
        { class: 'property-plots', 'data-property': index },
        el('figcaption', {}, el('h3', { text: label })),
        el(
          'div',
          { class: 'charts' },
          lineChart({ title: 'Bounds', xLabel: 'round', yLabel: 'probability', xInteger: true, series: [{ label: 'Pmin', cls: 'pmin', points: at('pmin') }, { label: 'Pmax', cls: 'pmax', points: at('pmax') }] }),
          lineChart({
            title: 'Window Pmax − Pmin',
            xLabel: 'round',
            yLabel: 'window',
            yLog: true,
            xInteger: true,
            series: [{ label: 'window', cls: 'window', points: sorted.map((r) => [r.iteration, r.pmax - r.pmin]) }],
            references: target ? [{ y: target, label: `target ${target}` }] : [],
          }),
          lineChart({ title: 'Explored states', xLabel: 'round', yLabel: 'states', xInteger: true, series: [{ label: 'states', cls: 'states', points: at('states') }] }),
        ),
      );
    });
  $('#plots').replaceChildren(...(figures.length ? figures : [el('p', { class: 'hint', text: 'No refinement rounds yet.' })]));
  drawConstantPlots(results);
}

/** With several constant valuations, the bounds of each property against each varying constant. */
function drawConstantPlots(results) {
  const groups = new Map();
  for (const r of results) {
    if (!r.constants || r.pmin == null) continue;
    const text = r.label.replace(/ \(.*\)$/, '');
    if (!groups.has(text)) groups.set(text, []);
    groups.get(text).push(r);
  }
  const charts = [];
  for (const [text, rows] of groups) {
    if (rows.length < 2) continue;
    const names = Object.keys(rows[0].constants).filter((name) => new Set(rows.map((r) => r.constants[name])).size > 1 && rows.every((r) => Number.isFinite(Number(r.constants[name]))));
    for (const name of names) {
      const sorted = [...rows].sort((a, b) => Number(a.constants[name]) - Number(b.constants[name]));
      charts.push(
        lineChart({
          title: `${text} against ${name}`,
          xLabel: name,
          yLabel: 'probability',
          series: [
            { label: 'Pmin', cls: 'pmin', points: sorted.map((r) => [Number(r.constants[name]), r.pmin]) },
            { label: 'Pmax', cls: 'pmax', points: sorted.map((r) => [Number(r.constants[name]), r.pmax]) },
          ],
        }),
      );
    }
  }
  $('#constant-charts').replaceChildren(...charts);
  $('#constant-plots').hidden = charts.length === 0;
}

// ---- downloads and curl -----------------------------------------------------------------------

function downloadButton(label, fetchBlob, fileName) {
  return el('button', {
    type: 'button',
    class: 'secondary',
    text: label,
    onclick: async () => {
      try {
        saveBlob(await fetchBlob(), fileName);
        announce($('#download-status'), `Saved ${fileName}.`, 'ok');
      } catch (error) {
        announce($('#download-status'), error.status === 404 ? `${fileName} is not available for this job.` : `${fileName} could not be downloaded: ${error.message}`, 'error');
      }
    },
  });
}

function showDownloads() {
  const buttons = [];
  if (page.mode === 'v1') {
    if (TERMINAL_STATES.has(page.state) && page.state !== 'PRUNED') {
      buttons.push(downloadButton('Result (JSON)', () => api.resultBlob(id), `stamina-${id}-result.json`));
      buttons.push(downloadButton('Transitions export', () => api.artifact(id, 'transitions.txt'), `stamina-${id}-transitions.txt`));
      buttons.push(downloadButton('Model export (DRN)', () => api.artifact(id, 'model.drn'), `stamina-${id}-model.drn`));
    }
  }
  buttons.push(downloadButton('Log (text)', async () => new Blob([$('#log').textContent], { type: 'text/plain' }), `stamina-${id}-log.txt`));
  $('#downloads').replaceChildren(...buttons);
}

function quote(text) {
  return `'${String(text).replace(/'/g, `'\\''`)}'`;
}

function showCurl(job) {
  const endpoint = new URL('v1/jobs', window.location.href).href;
  const p = job.parameters || {};
  const lines = [`curl -X POST ${quote(endpoint)}`, `  -H "Authorization: Bearer $STAMINA_TOKEN"`, `  -F model=@${quote(job.modelFile || 'model.prism')}`, `  -F properties=@${quote(job.propertiesFile || 'properties.csl')}`];
  if (job.name) lines.push(`  -F name=${quote(job.name)}`);
  for (const key of ['method', 'kappa', 'reduceKappa', 'approxFactor', 'window', 'maxIterations']) {
    if (p[key] !== undefined && p[key] !== null) lines.push(`  -F ${key}=${quote(p[key])}`);
  }
  if (p.constants) lines.push(`  -F constants=${quote(p.constants)}`);
  $('#curl').textContent = lines.join(' \\\n');
}

function showLegacyCurl() {
  const endpoint = new URL('checkjob', window.location.href).href;
  $('#curl-heading').textContent = "This job's log with curl";
  $('#curl').textContent = `curl -X POST ${quote(endpoint)} --data-raw ${quote(id)}`;
}

$('#copy-curl').addEventListener('click', async () => {
  const text = $('#curl').textContent;
  try {
    await navigator.clipboard.writeText(text);
    $('#copy-status').textContent = 'Copied.';
  } catch {
    const range = document.createRange();
    range.selectNodeContents($('#curl'));
    window.getSelection().removeAllRanges();
    window.getSelection().addRange(range);
    $('#copy-status').textContent = 'Selected: press Ctrl+C (or ⌘C) to copy.';
  }
});

// ---- legacy jobs ------------------------------------------------------------------------------

function showLegacyJob(job) {
  $('#job-body').hidden = false;
  $('#legacy-note').hidden = false;
  page.state = legacyState(job);
  showTitle(unescapeLegacy(job.name || ''));
  $('#rename-input').value = unescapeLegacy(job.name || '');
  $('#job-meta').replaceChildren(el('dt', { text: 'Job id' }), el('dd', { text: id }), el('dt', { text: 'Status' }), el('dd', { text: job.status }));
  showLegacyCurl();
  updateLegacy(job);
}

/** The legacy log carries everything: rounds as [INFO] lines, the results block at the end. */
function updateLegacy(job) {
  setState(legacyState(job));
  $('#job-meta').lastChild.textContent = job.status;
  const text = unescapeLegacy(job.logs || '');
  log.clear();
  page.rounds.clear();
  page.legacyResults = [];
  let current = null;
  for (const raw of text.replace(/\n$/, '').split('\n')) {
    if (text) log.appendLine(raw);
    // eslint-disable-next-line no-control-regex
    const line = raw.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '');
    const round = /Property (\d+), round (\d+): kappa ([^,]+), (\d+) states, (\d+) transitions, (\d+) frontier, Pmin ([^,]+), Pmax (\S+)/.exec(line);
    if (round) {
      const data = { property: Number(round[1]) - 1, iteration: Number(round[2]), kappa: Number(round[3]), states: Number(round[4]), transitions: Number(round[5]), pmin: Number(round[7]), pmax: Number(round[8]) };
      addRound(data.property, data);
      showProgress(data);
    }
    let match;
    if ((match = /^Property: (.*)$/.exec(line))) {
      current = { index: page.legacyResults.length, label: match[1], rounds: [], pmin: null, pmax: null, window: null, windowReached: null, states: null, iterations: null, seconds: null, constants: null };
      page.legacyResults.push(current);
    } else if (current && (match = /^Probability Minimum: (\S+)/.exec(line))) current.pmin = Number(match[1]);
    else if (current && (match = /^Probability Maximum: (\S+)/.exec(line))) current.pmax = Number(match[1]);
    else if (current && (match = /^Window: (\S+)/.exec(line))) current.window = Number(match[1]);
    else if (current && (match = /^Model: (\d+) states/.exec(line))) current.states = Number(match[1]);
  }
  for (const r of page.legacyResults) r.iterations = (page.rounds.get(r.index) || []).length || null;
  showResults();
  drawPlots();
  showDownloads();
  if (TERMINAL_STATES.has(page.state)) {
    $('#progress').textContent = `The job ended: ${job.status}.`;
  } else {
    setTimeout(pollLegacy, 2000);
  }
}

async function pollLegacy() {
  try {
    updateLegacy(await legacy.lookup(id));
  } catch (error) {
    if (error.status === 404) announce($('#job-status'), 'The job is gone (deleted).', 'error');
    else setTimeout(pollLegacy, 5000);
  }
}

// ---- actions ----------------------------------------------------------------------------------

$('#rename-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const name = $('#rename-input').value;
  try {
    if (page.mode === 'v1') {
      page.job = await api.rename(id, name);
      showTitle(page.job.name);
    } else {
      await legacy.rename(id, name);
      showTitle(name);
    }
    setState(page.state);
    announce($('#job-status'), `Renamed to ${name}.`, 'ok');
  } catch (error) {
    announce($('#job-status'), `The job could not be renamed: ${error.message}`, 'error');
  }
});

$('#cancel-job').addEventListener('click', async () => {
  try {
    if (page.mode === 'v1') await api.cancel(id);
    else await legacy.kill(id);
    announce($('#job-status'), 'Cancelling the job…', 'info');
  } catch (error) {
    announce($('#job-status'), `The job could not be cancelled: ${error.message}`, 'error');
  }
});

$('#delete-job').addEventListener('click', async () => {
  if (!window.confirm('Delete this job with its log and results?')) return;
  try {
    if (page.mode === 'v1') await api.remove(id);
    else await legacy.remove(id);
    window.location.assign('./#jobs');
  } catch (error) {
    announce($('#job-status'), `The job could not be deleted: ${error.message}`, 'error');
  }
});

start();
