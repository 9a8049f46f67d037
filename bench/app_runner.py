"""Child server process: run one scenario app under one implementation.

    python app_runner.py --impl pywebio|webio|floor --scenario NAME --port P [--n N]
                         [--backend tornado|tornado_http|flask]

``--impl floor`` serves no framework: bare Tornado (floor.py).

Exit codes: 3 = implementation not importable / alias broken.
"""
import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def install_impl(impl):
    """Make ``import pywebio`` resolve to the chosen implementation.

    Returns a short description of what ``pywebio`` now is.
    Raises SystemExit(3) with a message on failure.
    """
    if impl == 'webio':
        try:
            import webio_desktop.compat
            webio_desktop.compat.install_pywebio_alias()
        except Exception as e:  # noqa: BLE001 - report anything
            print(f"BENCH-IMPL-UNAVAILABLE webio_desktop alias: {type(e).__name__}: {e}",
                  file=sys.stderr, flush=True)
            raise SystemExit(3)
    try:
        import pywebio
        import pywebio.output
        import pywebio.input
        from pywebio import start_server  # noqa: F401
    except Exception as e:  # noqa: BLE001
        print(f"BENCH-IMPL-UNAVAILABLE import pywebio ({impl}): {type(e).__name__}: {e}",
              file=sys.stderr, flush=True)
        raise SystemExit(3)
    mod = getattr(pywebio.output.put_text, '__module__', '?')
    is_ours = mod.startswith('webio_desktop')
    if (impl == 'webio') != is_ours:
        print(f"BENCH-IMPL-UNAVAILABLE put_text comes from {mod!r}, expected "
              f"{'webio_desktop' if impl == 'webio' else 'pywebio'}",
              file=sys.stderr, flush=True)
        raise SystemExit(3)
    return mod


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--impl', choices=['pywebio', 'webio', 'floor'], required=True)
    ap.add_argument('--scenario', required=True)
    ap.add_argument('--port', type=int, required=True)
    ap.add_argument('--n', type=int, default=0)
    ap.add_argument('--backend', choices=['tornado', 'tornado_http', 'flask'], default='tornado',
                    help='tornado: start_server (WebSocket); tornado_http / flask: '
                         'platform.tornado_http / platform.flask.start_server (HTTP polling)')
    ap.add_argument('--check', action='store_true',
                    help='only check that the implementation imports, then exit 0')
    a = ap.parse_args()

    if a.impl == 'floor':
        sys.path.insert(0, HERE)
        import floor
        if not a.check:
            floor.serve(a.scenario, a.n, a.port)
        return
    mod = install_impl(a.impl)
    if a.check:
        print(f"BENCH-IMPL-OK put_text from {mod}", flush=True)
        return
    sys.path.insert(0, HERE)
    import scenario_apps
    from pywebio import start_server

    app = scenario_apps.APPS[a.scenario](a.n)
    print(f"BENCH-SERVER impl={a.impl} put_text={mod} scenario={a.scenario} n={a.n} "
          f"backend={a.backend} port={a.port} pid={os.getpid()}", file=sys.stderr, flush=True)
    if a.backend == 'tornado_http':
        from pywebio.platform.tornado_http import start_server as http_server
        http_server(app, port=a.port, host='127.0.0.1', cdn=False)
        return
    if a.backend == 'flask':
        import logging
        from pywebio.platform.flask import start_server as flask_server
        logging.getLogger('werkzeug').setLevel(logging.WARNING)  # no line per request, both sides
        flask_server(app, port=a.port, host='127.0.0.1', cdn=False)
        return
    start_server(app, port=a.port, host='127.0.0.1', cdn=False)


if __name__ == '__main__':
    main()
