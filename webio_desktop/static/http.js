// The HTTP long-poll transport (docs/protocol.md, "HTTP transport") behind a WebSocket-like
// object, so the rest of the page sends and receives the same way over either transport.
// Batches of commands are numbered and acknowledged; events are numbered so a retried POST is
// applied once. Flask, Django and tornado_http pages use it (page config `transport: "http"`).

const CONNECTING = 0;
const OPEN = 1;
const CLOSED = 3;
const MAX_FAILURES = 12; // about a minute of retries before the page says it is disconnected
const POLL_TIMEOUT_MS = 60_000; // the server answers a poll within ~20 s
const UPLOAD_TIMEOUT_MS = 600_000; // events may carry large uploads

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const backoff = (failures) => Math.min(5000, 125 * 2 ** failures);

export class HttpSocket extends EventTarget {
  constructor(url) {
    super();
    this.url = url;
    this.readyState = CONNECTING;
    this.bufferedAmount = 0; // bytes of events not yet taken by the server
    this.id = null;
    this.lastBatch = 0; // number of the last command batch applied
    this.sent = 0; // events the server has taken (the next event's number)
    this.queue = [];
    this.posting = false;
    addEventListener('pagehide', () => this.close());
    this.start();
  }

  request(method, headers, body = undefined, timeout = POLL_TIMEOUT_MS) {
    return fetch(this.url, {
      method, body, cache: 'no-store', credentials: 'same-origin',
      headers: { 'Webio-Session': this.id ?? 'new', ...headers },
      signal: AbortSignal.timeout(timeout),
    });
  }

  async start() {
    for (let failures = 0; this.readyState === CONNECTING; failures++) {
      try {
        const reply = await this.request('POST', {});
        if (!reply.ok) {
          console.error('[webio] the server did not start a session:', await reply.text());
          return this.finish();
        }
        this.id = (await reply.json()).session;
        this.readyState = OPEN;
      } catch (err) {
        if (failures >= MAX_FAILURES) return this.finish();
        await sleep(backoff(failures));
      }
    }
    if (this.readyState !== OPEN) return;
    this.dispatchEvent(new Event('open'));
    this.flush();
    this.poll();
  }

  async poll() {
    let failures = 0;
    while (this.readyState === OPEN) {
      let reply;
      try {
        const response = await this.request('GET', { 'Webio-Ack': String(this.lastBatch) });
        if (response.status === 410) return this.finish();
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        reply = await response.json();
        failures = 0;
      } catch (err) {
        if (this.readyState !== OPEN) return;
        if (++failures > MAX_FAILURES) return this.finish();
        await sleep(backoff(failures));
        continue;
      }
      for (const [number, commands] of reply.batches) {
        if (number <= this.lastBatch) continue; // a repeated reply: already applied
        this.lastBatch = number;
        this.dispatchEvent(new MessageEvent('message', { data: commands }));
      }
      if (reply.closed) return this.finish();
    }
  }

  /** `text` is one event's JSON; events queued meanwhile go together in the next POST. */
  send(text) {
    if (this.readyState === CLOSED) return;
    this.queue.push(text);
    this.bufferedAmount += text.length;
    this.flush();
  }

  async flush() {
    if (this.posting || !this.queue.length || this.readyState !== OPEN) return;
    this.posting = true;
    const events = this.queue.splice(0);
    const body = `[${events.join(',')}]`;
    for (let failures = 0; this.readyState === OPEN;) {
      try {
        const response = await this.request('POST', { 'Webio-Seq': String(this.sent), 'Content-Type': 'application/json' }, body, UPLOAD_TIMEOUT_MS);
        if (response.status === 410) this.finish();
        else if (response.ok) this.sent = (await response.json()).ack;
        else console.error('[webio] the server refused events:', await response.text()); // dropped
        break;
      } catch (err) {
        if (++failures > MAX_FAILURES) this.finish();
        else await sleep(backoff(failures)); // the same numbers again: nothing is applied twice
      }
    }
    this.bufferedAmount = this.queue.reduce((n, text) => n + text.length, 0);
    this.posting = false;
    this.flush();
  }

  /** The page is leaving: end the session now rather than at expiry. */
  close() {
    if (this.readyState === CLOSED) return;
    const wasOpen = this.readyState === OPEN;
    this.readyState = CLOSED;
    if (wasOpen) {
      fetch(this.url, { method: 'POST', keepalive: true, headers: { 'Webio-Session': this.id, 'Webio-Close': '1' } }).catch(() => {});
    }
  }

  /** The session is over (or unreachable): tell the page. */
  finish() {
    if (this.readyState === CLOSED) return;
    this.readyState = CLOSED;
    this.dispatchEvent(new Event('close'));
  }
}
