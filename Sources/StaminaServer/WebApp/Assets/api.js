// The one place that talks to the server. /v1 with the bearer token kept in this browser
// (localStorage), and the legacy endpoints for jobs owned by an address rather than a token (the
// first server's web client submits with from_web and lands on the job page). Every URL is
// relative, so the app also works when a proxy serves the server under a path prefix.

const TOKEN_KEY = 'stamina.token';

export function storedToken() {
  try {
    return localStorage.getItem(TOKEN_KEY) || '';
  } catch {
    return '';
  }
}

export function storeToken(token) {
  try {
    if (token) localStorage.setItem(TOKEN_KEY, token);
    else localStorage.removeItem(TOKEN_KEY);
  } catch {
    // Storage can be disabled; the token then lives as long as the page.
  }
}

/** A refusal from the server: the HTTP status and the problem document (or legacy error) it sent. */
export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.error || problem.title)) || `the server answered ${status}`);
    this.status = status;
    this.problem = problem || {};
  }
}

async function send(method, path, { body, contentType, auth = true, accept } = {}) {
  const headers = {};
  const token = storedToken();
  if (auth && token) headers.Authorization = `Bearer ${token}`;
  if (contentType) headers['Content-Type'] = contentType;
  if (accept) headers.Accept = accept;
  let response;
  try {
    response = await fetch(path, { method, headers, body, cache: 'no-store', credentials: 'same-origin' });
  } catch (error) {
    throw new ApiError(0, { detail: `the server cannot be reached (${error.message})` });
  }
  if (!response.ok) {
    let problem = null;
    const text = await response.text();
    try {
      problem = JSON.parse(text);
    } catch {
      problem = { detail: text.slice(0, 500) || response.statusText };
    }
    throw new ApiError(response.status, problem);
  }
  return response;
}

const json = async (response) => (response.status === 204 ? null : response.json());

export const api = {
  about: async () => json(await send('GET', 'v1/about', { auth: false })),

  /** Submits a job; without a stored token the server issues one, which is kept for next time. */
  submit: async (submission) => {
    const response = await send('POST', 'v1/jobs', {
      body: JSON.stringify(submission),
      contentType: 'application/json',
    });
    const job = await response.json();
    if (job.token) storeToken(job.token);
    return job;
  },

  jobs: async ({ state, cursor, limit = 50 } = {}) => {
    const query = new URLSearchParams({ limit: String(limit) });
    if (state) query.set('state', state);
    if (cursor) query.set('cursor', cursor);
    return json(await send('GET', `v1/jobs?${query}`));
  },

  job: async (id) => json(await send('GET', `v1/jobs/${encodeURIComponent(id)}`)),
  rename: async (id, name) =>
    json(
      await send('PATCH', `v1/jobs/${encodeURIComponent(id)}`, {
        body: JSON.stringify({ name }),
        contentType: 'application/json',
      }),
    ),
  cancel: async (id) => json(await send('POST', `v1/jobs/${encodeURIComponent(id)}/cancel`)),
  remove: async (id) => json(await send('DELETE', `v1/jobs/${encodeURIComponent(id)}`)),
  result: async (id) => json(await send('GET', `v1/jobs/${encodeURIComponent(id)}/result`)),
  resultBlob: async (id) => (await send('GET', `v1/jobs/${encodeURIComponent(id)}/result`)).blob(),
  artifact: async (id, name) =>
    (await send('GET', `v1/jobs/${encodeURIComponent(id)}/artifacts/${encodeURIComponent(name)}`)).blob(),

  /**
   * The job's Server-Sent Events. EventSource cannot send an Authorization header and a token in
   * the URL would end up in logs and history, so the stream is read with fetch().
   */
  events: async (id, lastEventID, signal) => {
    const headers = { Accept: 'text/event-stream' };
    const token = storedToken();
    if (token) headers.Authorization = `Bearer ${token}`;
    if (lastEventID) headers['Last-Event-ID'] = lastEventID;
    const response = await fetch(`v1/jobs/${encodeURIComponent(id)}/events`, {
      headers,
      signal,
      cache: 'no-store',
      credentials: 'same-origin',
    });
    if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => null));
    return response;
  },
};

/** The first server's endpoints: the job id is the credential there, as it was. */
export const legacy = {
  lookup: async (id) =>
    json(
      await send('POST', 'jobs', {
        body: new URLSearchParams({ id }).toString(),
        contentType: 'application/x-www-form-urlencoded',
        auth: false,
      }),
    ),
  kill: async (id) => (await send('POST', 'kill', { body: id, contentType: 'text/plain', auth: false })).text(),
  remove: async (id) => (await send('DELETE', 'jobs', { body: id, contentType: 'text/plain', auth: false })).text(),
  rename: async (id, name) =>
    json(
      await send('POST', 'rename', {
        body: JSON.stringify({ id, name }),
        contentType: 'text/plain',
        auth: false,
      }),
    ),
};

/**
 * Reads a text/event-stream body and calls onEvent({type, id, data}) per event, as the
 * EventSource parser does (fields per line, events separated by a blank line, comments skipped).
 */
export async function readEvents(response, onEvent) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let event = { type: 'message', id: null, data: [] };
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let newline;
    while ((newline = buffer.search(/\r\n|\n|\r/)) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
      if (line === '') {
        if (event.data.length > 0) onEvent({ type: event.type, id: event.id, data: event.data.join('\n') });
        event = { type: 'message', id: event.id, data: [] };
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'event') event.type = value;
      else if (field === 'data') event.data.push(value);
      else if (field === 'id') event.id = value;
    }
  }
}
