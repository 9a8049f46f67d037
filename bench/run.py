#!/usr/bin/env python
"""webio-desktop vs PyWebIO 1.8.4 benchmark harness.

    .venv/bin/python bench/run.py            # default set
    .venv/bin/python bench/run.py --quick    # reduced set, fewer repetitions (~3 min)
    .venv/bin/python bench/run.py --full     # + PyWebIO at 10,000 outputs, 100 echoes
    .venv/bin/python bench/run.py --only echo,wire

See bench/README.md for what every number means.
"""
import argparse
import atexit
import contextlib
import datetime
import importlib.metadata as md
import json
import os
import platform
import signal
import statistics
import sys
import threading
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import browser as br  # noqa: E402
import servers  # noqa: E402
import wire  # noqa: E402

IMPLS = ('pywebio', 'webio')
LABEL = {'pywebio': 'PyWebIO 1.8.4', 'webio': 'ours'}
NOTES_PYWEBIO_10K_MS = 203_000  # PyWebIO 1.8.4 baseline, text N=10,000 median (--full)
NOTES_PYWEBIO_NEXT_INPUT_MS = 402  # same baseline, "next input box ready" (its own method)

# per mode: quick / default / full
CONFIG = {
    'quick': dict(cold=5, warm=5,
                  outputs={'pywebio': {1000: 3, 3000: 1}, 'webio': {1000: 3, 10000: 2}},
                  outputs_timeout={'pywebio': 60, 'webio': 60},
                  echo=(5, 15), page_bytes=1, wire=100, load=1000, render=3),
    'default': dict(cold=9, warm=9,
                    outputs={'pywebio': {1000: 5, 3000: 3}, 'webio': {1000: 5, 10000: 3}},
                    outputs_timeout={'pywebio': 120, 'webio': 300},
                    echo=(5, 30), page_bytes=2, wire=200, load=1000, render=5),
    'full': dict(cold=9, warm=9,
                 outputs={'pywebio': {1000: 9, 3000: 3, 10000: 3}, 'webio': {1000: 9, 10000: 3}},
                 outputs_timeout={'pywebio': 420, 'webio': 420},
                 echo=(5, 100), page_bytes=3, wire=200, load=1000, render=9),
}


def log(msg):
    print(f'[{time.strftime("%H:%M:%S")}] {msg}', file=sys.stderr, flush=True)


def stats(values):
    v = sorted(x for x in values if x is not None)
    if not v:
        return None
    return {'median': statistics.median(v), 'min': v[0], 'max': v[-1],
            'p90': v[min(len(v) - 1, int(0.9 * len(v)))], 'n': len(v)}


def stat_of(runs, key):
    return stats([r.get(key) for r in runs])


# --------------------------------------------------------------------------
# scenarios: each returns a JSON-able dict for one implementation
# --------------------------------------------------------------------------

def sc_first_output(impls, ctx):
    """Paired scenario: both servers up at once, cold/warm runs interleaved."""
    cfg = ctx['cfg']
    res = {}
    with contextlib.ExitStack() as stack:
        urls = {}
        for impl in impls:
            try:
                urls[impl] = stack.enter_context(servers.Server(impl, 'ready')).url
            except servers.ImplUnavailable as e:
                res[impl] = {'unavailable': True, 'error': str(e)}
            except (RuntimeError, OSError) as e:
                res[impl] = {'error': f'{type(e).__name__}: {e}'}
        r = br.first_output(ctx['browser'], urls, cfg['cold'], cfg['warm']) if urls else {}
    for impl, rr in r.items():
        out = {}
        for cache in ('cold', 'warm'):
            runs = rr[cache]
            out[cache] = {k: stat_of(runs, k) for k in
                          ('painted', 'visible', 'opaque', 'html', 'dcl', 'ws_created', 'ws_open', 'ws_first')}
            out[cache]['samples'] = [x['painted'] for x in runs]
        res[impl] = out
    return res


sc_first_output.paired = True


def sc_outputs(impl, ctx):
    cfg = ctx['cfg']
    out = {}
    for n, runs in cfg['outputs'][impl].items():
        timeout = cfg['outputs_timeout'][impl]
        with servers.Server(impl, 'outputs', n) as s:
            res, err = [], None
            for i in range(runs):
                log(f'  outputs {impl} N={n} run {i + 1}/{runs}')
                try:
                    res.extend(br.outputs(ctx['browser'], s.url, 1, timeout))
                except br.MeasureError as e:
                    err = f'{e} (run {i + 1}; remaining runs skipped)'
                    break
            d = {k: stat_of(res, k) for k in ('painted', 'opaque', 'ws_last', 'ws_msgs', 'ws_chars', 'dom_nodes')}
            d['samples'] = [x['painted'] for x in res]
            d['timeout_s'] = timeout
            if err:
                d['error'] = err
            out[str(n)] = d
    return out


def sc_echo(impl, ctx, backend='tornado'):
    warm, n = ctx['cfg']['echo']
    with servers.Server(impl, 'echo', backend=backend) as s:
        r = br.echo(ctx['browser'], s.url, warm, n)
    smp = r['samples']
    out = {k: stat_of(smp, k) for k in ('echo_painted', 'echo_dom', 'echo_opaque', 'next_ready',
                                        'next_painted', 'next_opaque', 'next_stable')}
    out['reused_box'] = sum(1 for x in smp if x['reused_box'])
    out['notes'] = r['notes']
    out['samples'] = smp
    return out


def sc_echo_flask(impl, ctx):
    """The same echo over the HTTP transports: Flask's start_server on both sides."""
    return sc_echo(impl, ctx, backend='flask')


def sc_page_bytes(impl, ctx):
    runs = []
    with servers.Server(impl, 'ready') as s:
        for _ in range(ctx['cfg']['page_bytes']):
            runs.append(br.page_bytes(ctx['browser'], s.url))
    out = dict(runs[0])
    out['runs'] = len(runs)
    out['bytes_all_runs'] = [r['bytes'] for r in runs]
    out['requests_all_runs'] = [r['requests'] for r in runs]
    return out


def in_thread(func, limit, what):
    """func() in its own thread (asyncio.run must not share Playwright's sync-API loop)."""
    box = {}

    def go():
        try:
            box['r'] = func()
        except BaseException as e:  # noqa: BLE001
            box['e'] = e
    t = threading.Thread(target=go, daemon=True)
    t.start()
    t.join(limit)
    if t.is_alive():
        raise RuntimeError(f'{what} did not finish within {limit} s')
    if 'e' in box:
        e = box['e']
        raise RuntimeError(f'{type(e).__name__}: {e}') from e
    return box['r']


def sc_wire(impl, ctx):
    n = ctx['cfg']['wire']
    with servers.Server(impl, 'echo') as s:
        return in_thread(lambda: wire.echo_rtt(impl, s.port, n=n, warmup=5, op_timeout=10,
                                               budget=60), 120, 'wire client')


def sc_wire_nginx(impl, ctx):
    """The wire round trip through nginx proxying WebSocket (tests/deploy.py's config, the one
    docs/deployment.md shows), one config for both implementations."""
    sys.path.insert(0, os.path.join(os.path.dirname(HERE), 'tests'))
    from deploy import Nginx

    n = ctx['cfg']['wire']
    with servers.Server(impl, 'echo') as s, Nginx([s.port]) as proxy:
        return in_thread(lambda: wire.echo_rtt(impl, proxy.port, n=n, warmup=5, op_timeout=10,
                                               budget=60), 120, 'wire client via nginx')


LOAD_KINDS = {'coroutine': 'echo_async', 'thread': 'echo'}


def sc_session_load(impl, ctx):
    """N concurrent sessions of each kind on one server process (see load.py)."""
    import load  # psutil is only needed here

    n = ctx['cfg']['load']
    out = {}
    for kind, scenario in LOAD_KINDS.items():
        log(f'  {n} {kind} sessions')
        with servers.Server(impl, scenario) as s:
            try:
                out[kind] = in_thread(lambda: load.session_load(impl, s.port, s.proc.pid, n=n),
                                      150, f'{kind} load')
            except RuntimeError as e:
                out[kind] = {'error': str(e)}
    return out


# scenario -> (app in scenario_apps.APPS, its n, what n means)
RENDER = {'table': ('table', 1000, '1,000-row put_table'),
          'markdown': ('markdown', 200, '200 KiB put_markdown'),
          'datatable': ('datatable', 5000, '5,000-row put_datatable')}


def sc_render(scenario):
    """One big output: navigation -> marker painted, new context per run."""
    app, n, _ = RENDER[scenario]

    def run(impl, ctx):
        runs = ctx['cfg']['render']
        res, err = [], None
        with servers.Server(impl, app, n) as s:
            for i in range(runs):
                log(f'  {scenario} {impl} run {i + 1}/{runs}')
                try:
                    res.extend(br.outputs(ctx['browser'], s.url, 1, 60))
                except br.MeasureError as e:
                    err = f'{e} (run {i + 1}; remaining runs skipped)'
                    break
        d = {k: stat_of(res, k) for k in ('painted', 'opaque', 'ws_last', 'ws_chars', 'dom_nodes')}
        d['samples'] = [x['painted'] for x in res]
        if err:
            d['error'] = err
        return d
    return run


SCENARIOS = {
    # name: (function, description, runs by default)
    'first_output': (sc_first_output, '1. first output: navigation -> BENCH-READY painted', True),
    'outputs': (sc_outputs, '2. N x put_text then BENCH-DONE: navigation -> marker painted', True),
    'echo': (sc_echo, '3. input() echo: Enter -> echo painted / next input box usable', True),
    'echo_flask': (sc_echo_flask, '3b. input() echo over HTTP polling (Flask start_server): '
                   'Enter -> echo painted / next input box usable', True),
    'page_bytes': (sc_page_bytes, '4. first page: requests and bytes on the wire (cold, CDP)', True),
    'wire': (sc_wire, '5. wire round trip, protocol client, one session back-to-back', True),
    'wire_nginx': (sc_wire_nginx, '5b. wire round trip through nginx (WebSocket proxy)', True),
    # 7. big outputs: navigation -> marker painted (not in the default set: --only table,...)
    'table': (sc_render('table'), '7. 1,000-row put_table: navigation -> marker painted', False),
    'markdown': (sc_render('markdown'), '7. 200 KiB put_markdown: navigation -> marker painted',
                 False),
    'datatable': (sc_render('datatable'), '7. 5,000-row put_datatable: navigation -> first row '
                  'painted', False),
    'session_load': (sc_session_load, '6. 1,000 open sessions per kind on one server: memory, '
                     'echo under load (protocol clients)', False),
}


# --------------------------------------------------------------------------
# reporting
# --------------------------------------------------------------------------

def fmt_ms(v):
    if v is None:
        return '-'
    if v >= 10_000:
        return f'{v / 1000:.1f} s'
    if v >= 100:
        return f'{v:.0f} ms'
    return f'{v:.1f} ms'


def fmt_stat(s, unit='ms'):
    if not s:
        return '-'
    if unit == 'ms':
        return f"{fmt_ms(s['median'])} ({fmt_ms(s['min'])}-{fmt_ms(s['max'])}, n={s['n']})"
    if s['min'] == s['max']:
        return f"{s['median']:,.0f} (n={s['n']})"
    return f"{s['median']:,.0f} ({s['min']:,.0f}-{s['max']:,.0f}, n={s['n']})"


def ratio(a, b):
    if a is None or b in (None, 0):
        return None
    return a / b


def cell(res, *path):
    """res[impl] -> nested value or None; res entries can be errors."""
    cur = res
    for p in path:
        if not isinstance(cur, dict) or p not in cur:
            return None
        cur = cur[p]
    return cur


def impl_status(r):
    if r is None:
        return 'not run'
    if r.get('unavailable'):
        return 'not available'
    if r.get('error'):
        return 'error'
    return None


def print_table(title, header, rows):
    w = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    print(f'\n## {title}')
    print(' | '.join(str(h).ljust(w[i]) for i, h in enumerate(header)))
    print('-+-'.join('-' * x for x in w))
    for r in rows:
        print(' | '.join(str(c).ljust(w[i]) for i, c in enumerate(r)))


def detail_rows(R, scen, metrics):
    """metrics: list of (label, path tuple). Values are stats dicts or numbers."""
    rows = []
    p, o = R.get(scen, {}).get('pywebio'), R.get(scen, {}).get('webio')
    for m in metrics:
        label, path = m[0], m[1]
        unit = m[2] if len(m) > 2 else 'ms'
        vals = []
        for r in (p, o):
            st = impl_status(r)
            if st:
                vals.append((st if st != 'error' else 'error: ' + r['error'][:60], None))
                continue
            v = cell(r, *path)
            if isinstance(v, dict):
                vals.append((fmt_stat(v, unit), v.get('median')))
            elif isinstance(v, (int, float)):
                vals.append((f'{v:,}' if isinstance(v, int) else f'{v:.2f}', v))
            else:
                vals.append(('-' if v is None else str(v), None))
        rt = ratio(vals[1][1], vals[0][1])
        rows.append([label, vals[0][0], vals[1][0], '-' if rt is None else f'{rt:.3f}x'])
    return rows


def report(R, meta):
    hdr = ['metric', LABEL['pywebio'], LABEL['webio'], 'ours/PyWebIO']
    if 'first_output' in R:
        ms = []
        for cache in ('cold', 'warm'):
            ms += [(f'{cache}: marker painted', (cache, 'painted')),
                   (f'{cache}: HTML received', (cache, 'html')),
                   (f'{cache}: DOMContentLoaded', (cache, 'dcl')),
                   (f'{cache}: first WS message', (cache, 'ws_first'))]
        print_table(SCENARIOS['first_output'][1] + ' (ms since navigation start)', hdr,
                    detail_rows(R, 'first_output', ms))
        cal = meta.get('calibration') or {}
        if cal.get('static_page_cold'):
            print(f"calibration, static HTML page holding the marker (no JS, no WS): "
                  f"cold {fmt_stat(cal['static_page_cold'])}, warm {fmt_stat(cal['static_page_warm'])}")
    if 'outputs' in R:
        ns = sorted({int(n) for impl in IMPLS for n in (cell(R['outputs'], impl) or {})
                     if str(n).isdigit()})
        ms = []
        for n in ns:
            ms += [(f'N={n:,}: marker painted', (str(n), 'painted')),
                   (f'N={n:,}: last WS msg', (str(n), 'ws_last')),
                   (f'N={n:,}: WS messages', (str(n), 'ws_msgs'), 'n'),
                   (f'N={n:,}: DOM nodes', (str(n), 'dom_nodes'), 'n')]
        rows = detail_rows(R, 'outputs', ms)
        for impl in IMPLS:
            for n in ns:
                e = cell(R['outputs'], impl, str(n), 'error')
                if e:
                    rows.append([f'N={n:,} {LABEL[impl]} problem', e[:80], '', ''])
        print_table(SCENARIOS['outputs'][1], hdr, rows)
    for scen in ('echo', 'echo_flask'):
        if scen not in R:
            continue
        print_table(SCENARIOS[scen][1] + ' (ms after Enter keydown)', hdr, detail_rows(R, scen, [
            ('echo painted', ('echo_painted',)), ('echo in DOM', ('echo_dom',)),
            ('echo fully opaque', ('echo_opaque',)), ('next box usable, painted', ('next_painted',)),
            ('next box fully opaque', ('next_opaque',)), ('next box stable (2 frames)', ('next_stable',))]))
        floor = (meta.get('calibration') or {}).get('echo_floor')
        if floor:
            print(f"calibration, bare page + bare Tornado WebSocket echo (no framework): echo painted "
                  f"{fmt_stat(floor['echo_painted'])}, in DOM {fmt_stat(floor['echo_dom'])}, "
                  f"next box usable {fmt_stat(floor['next_painted'])}")
    if 'page_bytes' in R:
        rows = detail_rows(R, 'page_bytes', [
            ('HTTP requests', ('requests',)), ('bytes transferred (encoded)', ('bytes',)),
            ('body bytes (decoded)', ('body_bytes',)), ('compressed responses', ('compressed',)),
            ('WS frames in (first page)', ('ws_frames_in',))])
        for impl in IMPLS:
            f = cell(R['page_bytes'], impl, 'foreign_hosts')
            if f is not None:
                rows.append([f'{LABEL[impl]}: requests to other hosts', ', '.join(f) or 'none', '', ''])
            f = cell(R['page_bytes'], impl, 'failed')
            if f:
                rows.append([f'{LABEL[impl]}: failed requests', ', '.join(f)[:100], '', ''])
        print_table(SCENARIOS['page_bytes'][1], hdr, rows)
    if 'wire' in R:
        rows = detail_rows(R, 'wire', [('median RTT', ('median',)), ('min RTT', ('min',)),
                                       ('p90 RTT', ('p90',)), ('max RTT', ('max',)),
                                       ('connect -> first prompt', ('connect_to_first_prompt_ms',))])
        print_table(SCENARIOS['wire'][1] + ' (ms)', hdr, rows)
    if 'wire_nginx' in R:
        rows = detail_rows(R, 'wire_nginx', [('median RTT', ('median',)), ('min RTT', ('min',)),
                                             ('p90 RTT', ('p90',)), ('max RTT', ('max',))])
        print_table(SCENARIOS['wire_nginx'][1] + ' (ms)', hdr, rows)

    if 'session_load' in R:
        rows = []
        for kind in LOAD_KINDS:
            rows += detail_rows(R, 'session_load', [
                (f'{kind}: sessions open', (kind, 'sessions_open')),
                (f'{kind}: RSS per session (KiB)', (kind, 'rss_per_session_kib')),
                (f'{kind}: USS per session (KiB)', (kind, 'uss_per_session_kib')),
                (f'{kind}: USS per session after its echo (KiB)',
                 (kind, 'uss_after_echo_per_session_kib')),
                (f'{kind}: server RSS loaded (MiB)', (kind, 'rss_loaded_mib')),
                (f'{kind}: server threads loaded', (kind, 'threads_loaded')),
                (f'{kind}: echo under load p50', (kind, 'echo', 'median')),
                (f'{kind}: echo under load p90', (kind, 'echo', 'p90')),
                (f'{kind}: open all sessions (s)', (kind, 'open_s')),
                (f'{kind}: every session echoes 3 times (s)', (kind, 'echo_s'))])
            for impl in IMPLS:
                for key in ('first_error', 'first_echo_error', 'error'):
                    e = cell(R, 'session_load', impl, kind, key)
                    if e:
                        rows.append([f'{kind} {LABEL[impl]} problem', e[:80], '', ''])
        print_table(SCENARIOS['session_load'][1], hdr, rows)

    for scenario in RENDER:
        if scenario in R:
            rows = detail_rows(R, scenario, [('marker painted', ('painted',)),
                                             ('fully opaque', ('opaque',)),
                                             ('last WS message', ('ws_last',)),
                                             ('WS characters', ('ws_chars',), 'n'),
                                             ('DOM nodes', ('dom_nodes',), 'n')])
            for impl in IMPLS:
                e = cell(R, scenario, impl, 'error')
                if e:
                    rows.append([f'{LABEL[impl]} problem', e[:80], '', ''])
            print_table(SCENARIOS[scenario][1], hdr, rows)

    summary = build_summary(R)
    print_table('Targets', ['metric', LABEL['pywebio'], LABEL['webio'], 'ours/PyWebIO', 'target', 'met'],
                [[s['metric'], s['pywebio_text'], s['ours_text'],
                  '-' if s['ratio'] is None else f"{s['ratio']:.3f}x", s['target'], s['met']]
                 for s in summary])
    for impl in IMPLS:
        if meta['impl_available'].get(impl) is False:
            print(f"\n{LABEL[impl]}: not available ({meta['impl_message'][impl]})")
    return summary


def _med(R, scen, impl, *path):
    r = cell(R, scen, impl)
    if r is None or impl_status(r):
        return None
    v = cell(r, *path)
    return v.get('median') if isinstance(v, dict) else v


def build_summary(R):
    out = []

    def row(metric, p, o, target, limit=None, absolute=None, p_text=None, fmt=fmt_ms):
        rt = ratio(o, p)
        if absolute is not None:
            met = '-' if o is None else ('yes' if o < absolute else 'NO')
        elif limit is not None:
            met = '-' if rt is None else ('yes' if rt <= limit else 'NO')
        else:
            met = '-'
        out.append({'metric': metric, 'pywebio': p, 'ours': o, 'ratio': rt, 'target': target, 'met': met,
                    'pywebio_text': p_text or (fmt(p) if p is not None else '-'),
                    'ours_text': fmt(o) if o is not None else '-'})

    if 'first_output' in R:
        row('first output, cold', _med(R, 'first_output', 'pywebio', 'cold', 'painted'),
            _med(R, 'first_output', 'webio', 'cold', 'painted'), '<= 0.3x', limit=0.3)
        row('first output, warm', _med(R, 'first_output', 'pywebio', 'warm', 'painted'),
            _med(R, 'first_output', 'webio', 'warm', 'painted'), '-')
    if 'outputs' in R:
        p1, o1 = _med(R, 'outputs', 'pywebio', '1000', 'painted'), _med(R, 'outputs', 'webio', '1000', 'painted')
        row('1,000 outputs', p1, o1, '-')
        p10 = _med(R, 'outputs', 'pywebio', '10000', 'painted')
        o10 = _med(R, 'outputs', 'webio', '10000', 'painted')
        o10_err = cell(R, 'outputs', 'webio', '10000', 'error')
        if p10 is not None:
            row('10,000 outputs', p10, o10, '<= 0.02x', limit=0.02)
        else:
            row('10,000 outputs (PyWebIO from notes)', NOTES_PYWEBIO_10K_MS, o10, '<= 0.02x', limit=0.02,
                p_text=f'{NOTES_PYWEBIO_10K_MS / 1000:.0f} s (from notes)')
        if o10 is None and o10_err:
            out[-1]['ours_text'] = 'timeout/error'
            out[-1]['met'] = 'NO'
        g = ratio(o10, o1)
        out.append({'metric': 'ours growth time(10,000)/time(1,000)', 'pywebio': None, 'ours': g, 'ratio': None,
                    'target': '(info; linear = 10)', 'met': '-',
                    'pywebio_text': (f"{ratio(_med(R, 'outputs', 'pywebio', '3000', 'painted'), p1):.1f} "
                                     f"(3,000/1,000)" if _med(R, 'outputs', 'pywebio', '3000', 'painted') and p1
                                     else '-'),
                    'ours_text': '-' if g is None else f'{g:.1f}'})
    if 'echo' in R:
        row('echo: Enter -> echo painted', _med(R, 'echo', 'pywebio', 'echo_painted'),
            _med(R, 'echo', 'webio', 'echo_painted'), '<= 0.6x', limit=0.6)
        row('Enter -> next input usable', _med(R, 'echo', 'pywebio', 'next_painted'),
            _med(R, 'echo', 'webio', 'next_painted'), '<= 0.15x', limit=0.15)
        row('  same vs notes (402 ms, other method)', NOTES_PYWEBIO_NEXT_INPUT_MS,
            _med(R, 'echo', 'webio', 'next_painted'), '(info)',
            p_text=f'{NOTES_PYWEBIO_NEXT_INPUT_MS} ms (from notes)')
    if 'echo_flask' in R:
        row('HTTP (Flask): Enter -> echo painted', _med(R, 'echo_flask', 'pywebio', 'echo_painted'),
            _med(R, 'echo_flask', 'webio', 'echo_painted'), '<= 0.7x', limit=0.7)
        row('HTTP (Flask): Enter -> next input usable',
            _med(R, 'echo_flask', 'pywebio', 'next_painted'),
            _med(R, 'echo_flask', 'webio', 'next_painted'), '<= 0.7x', limit=0.7)
    if 'page_bytes' in R:
        fmt_b = (lambda v: f'{v:,.0f} B')
        row('first-page bytes (cold)', _med(R, 'page_bytes', 'pywebio', 'bytes'),
            _med(R, 'page_bytes', 'webio', 'bytes'), '<= 0.1x', limit=0.1, fmt=fmt_b)
        row('first-page requests (cold)', _med(R, 'page_bytes', 'pywebio', 'requests'),
            _med(R, 'page_bytes', 'webio', 'requests'), '-', fmt=lambda v: f'{v:,.0f}')
        f = cell(R, 'page_bytes', 'webio', 'foreign_hosts')
        if f:
            out.append({'metric': 'ours: requests to other hosts', 'pywebio': None, 'ours': len(f),
                        'ratio': None, 'target': 'none', 'met': 'NO', 'pywebio_text': '-',
                        'ours_text': ', '.join(f)[:60]})
    if 'wire' in R:
        row('wire round trip (median)', _med(R, 'wire', 'pywebio', 'median'),
            _med(R, 'wire', 'webio', 'median'), '< 2 ms absolute', absolute=2.0,
            fmt=lambda v: f'{v:.2f} ms')
    if 'wire_nginx' in R:
        row('wire round trip via nginx (median)', _med(R, 'wire_nginx', 'pywebio', 'median'),
            _med(R, 'wire_nginx', 'webio', 'median'), '<= 0.7x', limit=0.7,
            fmt=lambda v: f'{v:.2f} ms')
    for scenario, (_, _, what) in RENDER.items():
        if scenario in R:
            row(f'{what}: marker painted', _med(R, scenario, 'pywebio', 'painted'),
                _med(R, scenario, 'webio', 'painted'), '<= 0.5x', limit=0.5)
    if 'session_load' in R:
        fmt_k = (lambda v: f'{v:,.1f} KiB')
        for kind in LOAD_KINDS:
            row(f'{kind} session: USS per session', _med(R, 'session_load', 'pywebio', kind,
                                                         'uss_per_session_kib'),
                _med(R, 'session_load', 'webio', kind, 'uss_per_session_kib'),
                '<= 0.5x' if kind == 'coroutine' else '-', limit=0.5 if kind == 'coroutine' else None,
                fmt=fmt_k)
            row(f'{kind} session: echo p50 under load',
                _med(R, 'session_load', 'pywebio', kind, 'echo', 'median'),
                _med(R, 'session_load', 'webio', kind, 'echo', 'median'),
                '<= 0.7x' if kind == 'coroutine' else '-', limit=0.7 if kind == 'coroutine' else None)
    return out


# --------------------------------------------------------------------------

def versions():
    v = {'python': platform.python_version(), 'machine': platform.platform(),
         'cpus': os.cpu_count()}
    for pkg in ('pywebio', 'playwright', 'websockets', 'tornado'):
        try:
            v[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            v[pkg] = None
    try:
        with open('/proc/meminfo') as f:
            v['mem_total_kib'] = int(f.readline().split()[1])
    except OSError:
        pass
    return v


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument('--quick', action='store_true', help='reduced set, fewer repetitions')
    mode.add_argument('--full', action='store_true', help='also PyWebIO at 10,000 outputs (~10 min), 100 echoes')
    ap.add_argument('--only', help='comma-separated scenario names: ' + ', '.join(SCENARIOS))
    ap.add_argument('--impl', choices=['both', 'pywebio', 'webio'], default='both')
    ap.add_argument('--out', default=os.path.join(HERE, 'results', 'latest.json'))
    a = ap.parse_args()

    mode_name = 'quick' if a.quick else 'full' if a.full else 'default'
    cfg = CONFIG[mode_name]
    if a.only:
        names = [x.strip() for x in a.only.split(',') if x.strip()]
        bad = [x for x in names if x not in SCENARIOS]
        if bad:
            ap.error(f'unknown scenario(s) {bad}; choose from {list(SCENARIOS)}')
    else:
        names = [k for k, v in SCENARIOS.items() if v[2]]
    impls = IMPLS if a.impl == 'both' else (a.impl,)

    def on_term(signum, frame):
        raise KeyboardInterrupt(f'signal {signum}')
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGHUP, on_term)
    atexit.register(servers.kill_all)

    meta = {'started': datetime.datetime.now().isoformat(timespec='seconds'), 'mode': mode_name,
            'scenarios': names, 'config': cfg,
            'versions': versions(), 'impl_available': {}, 'impl_message': {},
            'chromium_args': br.ARGS + br.GUARD_ARGS}
    for impl in impls:
        ok, msg = servers.check_impl(impl)
        meta['impl_available'][impl], meta['impl_message'][impl] = ok, msg
        log(f'{LABEL[impl]}: {"available" if ok else "NOT available"} - {msg}')

    R = {}
    t_start = time.monotonic()
    from playwright.sync_api import sync_playwright
    try:
        with sync_playwright() as pw:
            b = br.launch(pw)
            meta['versions']['chromium'] = b.version
            ctx = {'browser': b, 'cfg': cfg}
            try:
                if 'first_output' in names:
                    try:
                        fl = br.static_floor(b, cfg['cold'])
                        meta['calibration'] = {'static_page_' + k: stats(v) for k, v in fl.items()}
                    except Exception as e:  # noqa: BLE001 - calibration is optional
                        meta['calibration'] = {'error': f'{type(e).__name__}: {e}'}
                if 'echo' in names:
                    try:
                        smp = br.echo_floor(b, *cfg['echo'])['samples']
                        meta.setdefault('calibration', {})['echo_floor'] = {
                            k: stat_of(smp, k) for k in ('echo_painted', 'echo_dom', 'next_painted')}
                    except Exception as e:  # noqa: BLE001 - calibration is optional
                        meta.setdefault('calibration', {})['echo_floor_error'] = f'{type(e).__name__}: {e}'
                for name in names:
                    fn = SCENARIOS[name][0]
                    R[name] = {}
                    avail = [i for i in impls if meta['impl_available'][i]]
                    if getattr(fn, 'paired', False) and avail:
                        log(f'{name}: {", ".join(LABEL[i] for i in avail)} (interleaved) ...')
                        t0 = time.monotonic()
                        try:
                            R[name].update(fn(avail, ctx))
                        except Exception as e:  # noqa: BLE001 - record, go on
                            log(f'  FAILED: {type(e).__name__}: {e}')
                            for i in avail:
                                R[name].setdefault(i, {'error': f'{type(e).__name__}: {e}'})
                        log(f'  done in {time.monotonic() - t0:.1f} s')
                    for impl in impls:
                        if impl in R[name]:
                            continue
                        if not meta['impl_available'][impl]:
                            R[name][impl] = {'unavailable': True, 'error': meta['impl_message'][impl]}
                            continue
                        log(f'{name}: {LABEL[impl]} ...')
                        t0 = time.monotonic()
                        try:
                            R[name][impl] = fn(impl, ctx)
                        except servers.ImplUnavailable as e:
                            R[name][impl] = {'unavailable': True, 'error': str(e)}
                        except NotImplementedError as e:
                            R[name][impl] = {'error': str(e)}
                        except (br.MeasureError, RuntimeError, OSError) as e:
                            R[name][impl] = {'error': f'{type(e).__name__}: {e}'}
                            log(f'  FAILED: {e}')
                        except Exception as e:  # noqa: BLE001 - e.g. Playwright errors: record, go on
                            R[name][impl] = {'error': f'{type(e).__name__}: {e}',
                                             'traceback': traceback.format_exc(limit=5)}
                            log(f'  FAILED: {type(e).__name__}: {e}')
                        R[name][impl]['elapsed_s'] = round(time.monotonic() - t0, 1)
                        log(f'  done in {R[name][impl]["elapsed_s"]} s')
            finally:
                try:
                    b.close()
                except Exception:  # noqa: BLE001 - e.g. after an interrupt
                    pass
    except KeyboardInterrupt as e:
        meta['interrupted'] = str(e) or 'KeyboardInterrupt'
        log(f'interrupted ({meta["interrupted"]}); reporting what was measured')
    finally:
        servers.kill_all()

    meta['elapsed_s'] = round(time.monotonic() - t_start, 1)
    summary = report(R, meta)
    os.makedirs(os.path.dirname(a.out), exist_ok=True)
    with open(a.out, 'w') as f:
        json.dump({'meta': meta, 'summary': summary, 'results': R}, f, indent=1, default=str)
    print(f'\nresults: {a.out}  (total {meta["elapsed_s"]} s, mode {mode_name})')


if __name__ == '__main__':
    main()
