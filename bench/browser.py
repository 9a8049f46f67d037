"""Browser-side measurements (Playwright sync API, headless Debian Chromium)."""
import os
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
PROBE = open(os.path.join(HERE, 'probe.js')).read()

CHROMIUM = '/usr/bin/chromium'
ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--no-first-run']
# Loopback-only guard: any non-loopback request goes to a dead proxy and fails
# (it is still seen, and reported, by scenario 4). Loopback bypasses proxies.
# (Chromium bypasses proxies for loopback implicitly.)
GUARD_ARGS = ['--proxy-server=http://127.0.0.1:9']
VIEWPORT = {'width': 1280, 'height': 800}


class MeasureError(Exception):
    pass


def launch(pw):
    return pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS + GUARD_ARGS)


def new_context(browser):
    ctx = browser.new_context(viewport=VIEWPORT)
    ctx.add_init_script(PROBE)
    return ctx


def _wait_mark(page, marker, timeout_s, field='painted'):
    try:
        page.wait_for_function(
            '([t, f]) => { const m = window.__bench && window.__bench.marks[t]; return !!(m && m[f] != null); }',
            arg=[marker, field], polling=50, timeout=timeout_s * 1000)
    except Exception as e:  # noqa: BLE001 - Playwright TimeoutError and friends
        raise MeasureError(f'marker {marker!r} not {field} within {timeout_s}s') from e


def _snapshot(page):
    return page.evaluate('window.__bench.snapshot()')


def load_to_marker(page, url, marker, timeout_s, settle_opaque=True):
    """Navigate; return the probe snapshot once the marker is painted."""
    page.goto(url, wait_until='commit', timeout=timeout_s * 1000)
    _wait_mark(page, marker, timeout_s)
    if settle_opaque:
        try:  # opacity is reported, not required
            _wait_mark(page, marker, 3, field='opaque')
        except MeasureError:
            pass
    snap = _snapshot(page)
    m = snap['marks'][marker]
    return {'painted': m.get('painted'), 'visible': m.get('visible'), 'dom': m.get('dom'),
            'opaque': m.get('opaque'), 'html': snap['html'], 'dcl': snap['dcl'],
            'ws_created': snap['ws']['created'], 'ws_open': snap['ws']['open'],
            'ws_first': snap['ws']['first'], 'ws_last': snap['ws']['last'],
            'ws_msgs': snap['ws']['count'], 'ws_chars': snap['ws']['chars'],
            'dom_nodes': snap['nodes'], 'relocated': m.get('relocated', 0)}


def first_output(browser, urls, cold_runs, warm_runs, timeout_s=30):
    """Scenario 1: cold = new context per run; warm = 2nd navigation in it.

    urls: {key: url}. With several servers the runs are interleaved
    (run i of every server, then run i+1 ...), so load drift on the shared
    machine hits all sides alike. Returns {key: {'cold': [...], 'warm': [...]}}.
    """
    out = {k: {'cold': [], 'warm': []} for k in urls}
    for url in urls.values():  # throw-away load each
        ctx = new_context(browser)
        try:
            load_to_marker(ctx.new_page(), url, 'BENCH-READY', timeout_s)
        finally:
            ctx.close()
    for i in range(max(cold_runs, warm_runs)):
        for k, url in urls.items():
            ctx = new_context(browser)
            try:
                page = ctx.new_page()
                r = load_to_marker(page, url, 'BENCH-READY', timeout_s)
                if i < cold_runs:
                    out[k]['cold'].append(r)
                if i < warm_runs:
                    out[k]['warm'].append(load_to_marker(page, url, 'BENCH-READY', timeout_s))
            finally:
                ctx.close()
    return out


def outputs(browser, url, runs, timeout_s):
    """Scenario 2: navigation -> BENCH-DONE painted, new context per run."""
    res = []
    for _ in range(runs):
        ctx = new_context(browser)
        try:
            res.append(load_to_marker(ctx.new_page(), url, 'BENCH-DONE', timeout_s))
        finally:
            ctx.close()
    return res


def echo(browser, url, warmup, n, op_timeout_s=10, budget_s=120):
    """Scenario 3: fill the generic input box, press Enter, time echo + next box."""
    ctx = new_context(browser)
    samples, notes = [], []
    try:
        page = ctx.new_page()
        page.goto(url, wait_until='commit', timeout=op_timeout_s * 1000)
        try:
            page.wait_for_function('window.__bench && window.__bench.candidate() !== null',
                                   polling=50, timeout=op_timeout_s * 1000)
        except Exception as e:  # noqa: BLE001
            raise MeasureError('no visible enabled text input inside a <form> appeared '
                               f'within {op_timeout_s}s') from e
        token = f'{int(time.time() * 1000) % 100000:05d}'
        deadline = time.monotonic() + budget_s
        for i in range(warmup + n):
            if time.monotonic() > deadline:
                notes.append(f'stopped at budget {budget_s}s after {len(samples)} samples')
                break
            text = f'E{i:04d}Q{token}'
            page.evaluate('t => window.__bench.arm(t)', text)
            box = page.evaluate_handle('window.__bench.candidate()').as_element()
            if box is None:
                raise MeasureError(f'iteration {i}: no usable input box')
            box.fill(text, timeout=op_timeout_s * 1000)
            box.press('Enter', timeout=op_timeout_s * 1000)
            try:
                page.wait_for_function(
                    't => { const b = window.__bench, m = b.marks[t];'
                    ' return !!(m && m.painted != null && b.next && b.next.painted != null); }',
                    arg=text, polling=20, timeout=op_timeout_s * 1000)
            except Exception as e:  # noqa: BLE001
                s = page.evaluate('t => ({m: window.__bench.marks[t] || null, next: window.__bench.next})', text)
                raise MeasureError(f'iteration {i}: echo/next box not ready within {op_timeout_s}s; '
                                   f'probe state {s}') from e
            try:  # let the opacity settle a little (reported only)
                page.wait_for_function(
                    't => { const b = window.__bench, m = b.marks[t];'
                    ' return m.opaque != null && b.next.opaque != null && b.next.stable != null; }',
                    arg=text, polling=20, timeout=2000)
            except Exception:  # noqa: BLE001
                pass
            s = page.evaluate('t => ({m: window.__bench.marks[t], next: window.__bench.next})', text)
            m, nx = s['m'], s['next']
            enter = nx['enter']
            if enter is None:
                raise MeasureError(f'iteration {i}: Enter keydown not seen by the probe')
            if i < warmup:
                continue
            rel = (lambda v: None if v is None else v - enter)
            samples.append({'echo_painted': rel(m.get('painted')), 'echo_dom': rel(m.get('dom')),
                            'echo_opaque': rel(m.get('opaque')), 'next_ready': rel(nx.get('ready')),
                            'next_painted': rel(nx.get('painted')), 'next_opaque': rel(nx.get('opaque')),
                            'next_stable': rel(nx.get('stable')),
                            'reused_box': nx.get('reused')})
    finally:
        ctx.close()
    return {'samples': samples, 'notes': notes}


def page_bytes(browser, url, timeout_s=30, settle_s=1.0):
    """Scenario 4: CDP Network events during a cold load (new context)."""
    server = urllib.parse.urlsplit(url)
    origin = (server.hostname, server.port)
    ctx = new_context(browser)
    reqs, foreign, ws_frames = {}, [], {'in': 0, 'in_bytes': 0}
    try:
        page = ctx.new_page()
        cdp = ctx.new_cdp_session(page)

        def on_req(e):
            r = reqs.setdefault(e['requestId'], {})
            r.update(url=e['request']['url'], type=e.get('type'))

        def on_resp(e):
            r = reqs.setdefault(e['requestId'], {})
            resp = e['response']
            hdrs = {k.lower(): v for k, v in (resp.get('headers') or {}).items()}
            r.update(status=resp.get('status'), encoding=hdrs.get('content-encoding'),
                     from_cache=resp.get('fromDiskCache') or resp.get('fromPrefetchCache'),
                     mime=resp.get('mimeType'), type=e.get('type') or r.get('type'))

        def on_data(e):
            r = reqs.setdefault(e['requestId'], {})
            r['body'] = r.get('body', 0) + e.get('dataLength', 0)

        def on_fin(e):
            reqs.setdefault(e['requestId'], {})['encoded'] = e.get('encodedDataLength', 0)

        def on_fail(e):
            reqs.setdefault(e['requestId'], {})['failed'] = e.get('errorText', 'failed')

        def on_ws(e):
            reqs.setdefault('ws:' + e['requestId'], {}).update(url=e['url'], type='WebSocket')

        def on_frame(e):
            ws_frames['in'] += 1
            ws_frames['in_bytes'] += len(e['response'].get('payloadData', ''))

        for ev, fn in (('requestWillBeSent', on_req), ('responseReceived', on_resp),
                       ('dataReceived', on_data), ('loadingFinished', on_fin),
                       ('loadingFailed', on_fail), ('webSocketCreated', on_ws),
                       ('webSocketFrameReceived', on_frame)):
            cdp.on('Network.' + ev, fn)
        cdp.send('Network.enable')
        load_to_marker(page, url, 'BENCH-READY', timeout_s, settle_opaque=False)
        page.wait_for_timeout(settle_s * 1000)  # lazy loads after first paint count too
    finally:
        ctx.close()

    http = {k: v for k, v in reqs.items() if not k.startswith('ws:')
            and urllib.parse.urlsplit(v.get('url', '')).scheme in ('http', 'https')}
    for v in reqs.values():
        u = urllib.parse.urlsplit(v.get('url', ''))
        if u.scheme in ('data', 'blob', ''):
            continue
        if (u.hostname, u.port) != origin:
            foreign.append(v.get('url'))
    by_type = {}
    for v in http.values():
        t = by_type.setdefault(v.get('type') or '?', {'requests': 0, 'bytes': 0})
        t['requests'] += 1
        t['bytes'] += v.get('encoded', 0)
    return {
        'requests': len(http),
        'bytes': sum(v.get('encoded', 0) for v in http.values()),
        'body_bytes': sum(v.get('body', 0) for v in http.values()),
        'compressed': sum(1 for v in http.values() if v.get('encoding')),
        'failed': sorted(f"{v.get('url', '?')} (HTTP {v.get('status', '-')}, {v.get('failed', 'error status')})"
                         for v in http.values() if 'failed' in v or (v.get('status') or 0) >= 400),
        'websockets': [v['url'] for k, v in reqs.items() if k.startswith('ws:')],
        'ws_frames_in': ws_frames['in'], 'ws_bytes_in': ws_frames['in_bytes'],
        'by_type': by_type,
        'foreign_hosts': sorted(set(foreign)),
        'urls': sorted(f"{v.get('url', '?')} {v.get('status', '-')} {v.get('encoded', 0)}B"
                       + (f" {v['encoding']}" if v.get('encoding') else '') for v in http.values()),
    }


def static_floor(browser, runs, timeout_s=15):
    """Calibration: cold/warm load of a static page whose HTML already holds the
    marker (no scripts, no WebSocket) from a throw-away loopback HTTP server.
    The lowest "first output painted" any server/front end could reach here."""
    import http.server
    import threading

    body = (b'<!doctype html><html><head><meta charset="utf-8"><title>floor</title></head>'
            b'<body><p>BENCH-READY</p></body></html>')

    class H(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self.send_response(200)
            self.send_header('Content-Type', 'text/html; charset=utf-8')
            self.send_header('Content-Length', str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a):
            pass

    srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), H)
    th = threading.Thread(target=srv.serve_forever, kwargs={'poll_interval': 0.1}, daemon=True)
    th.start()
    url = f'http://127.0.0.1:{srv.server_address[1]}/'
    cold, warm = [], []
    try:
        for _ in range(runs):
            ctx = new_context(browser)
            try:
                page = ctx.new_page()
                cold.append(load_to_marker(page, url, 'BENCH-READY', timeout_s, settle_opaque=False)['painted'])
                warm.append(load_to_marker(page, url, 'BENCH-READY', timeout_s, settle_opaque=False)['painted'])
            finally:
                ctx.close()
    finally:
        srv.shutdown()
        srv.server_close()
    return {'cold': cold, 'warm': warm}


ECHO_FLOOR_PAGE = b"""<!doctype html><html><head><meta charset="utf-8"><title>echo floor</title></head>
<body><main id="out"></main><form><input name="data" autofocus></form><script>
const ws = new WebSocket(`ws://${location.host}/ws`);
const form = document.forms[0], box = form.elements.data;
form.addEventListener('submit', (e) => { e.preventDefault(); box.disabled = true; ws.send(box.value); });
ws.onmessage = (e) => {
  const p = document.createElement('p'); p.textContent = e.data; document.getElementById('out').append(p);
  box.value = ''; box.disabled = false; box.focus();
};
</script></body></html>"""


def echo_floor(browser, warmup, n):
    """Calibration for scenario 3: the same measurement against the least any framework could
    do: a static page whose form sends the text over a WebSocket to a bare Tornado echo handler
    (TCP_NODELAY) and appends it on reply. No session, no protocol, no rendering code."""
    import asyncio
    import threading

    import tornado.web
    import tornado.websocket

    class Page(tornado.web.RequestHandler):
        def get(self):
            self.set_header('Content-Type', 'text/html; charset=utf-8')
            self.write(ECHO_FLOOR_PAGE)

    class Echo(tornado.websocket.WebSocketHandler):
        def open(self):
            self.set_nodelay(True)

        def on_message(self, message):
            self.write_message(message)

    started = threading.Event()
    state = {}

    def serve():
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        app = tornado.web.Application([(r'/', Page), (r'/ws', Echo)])
        state['server'] = app.listen(0, '127.0.0.1')
        state['port'] = next(iter(state['server']._sockets.values())).getsockname()[1]
        state['loop'] = loop
        started.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    started.wait(10)
    try:
        return echo(browser, f"http://127.0.0.1:{state['port']}/", warmup, n)
    finally:
        state['loop'].call_soon_threadsafe(state['loop'].stop)
        thread.join(5)
