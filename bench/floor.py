"""The floor: a bare Tornado server with no framework, for the figures that compare with one.

    python app_runner.py --impl floor --scenario lines|echo|idle --port P [--n N]

One WebSocket handler at ``/`` (the path the frameworks' sessions use):

* ``lines``: on open, writes ``n`` messages, the same lines the ``lines`` scenario app outputs
  (``line I xxx...``), one ``write_message`` each, whether or not the client reads them;
* ``echo`` / ``idle``: on open, sends ``ready`` (what a session's first prompt is to the
  harness), then echoes every message.

It prints the same ``BENCHLOG`` lines as scenario_apps.py so the harness reads both alike.
"""
import asyncio
import sys
import time


def line(i):
    """Line ``i`` of the ``lines`` scenario (scenario_apps.make_lines_app outputs the same)."""
    return f'line {i} ' + 'x' * 60


def _log(event):
    print(f"BENCHLOG {event} {time.time():.6f}", file=sys.stderr, flush=True)


def make_handler(scenario, n):
    import tornado.websocket

    class Bare(tornado.websocket.WebSocketHandler):
        def check_origin(self, origin):
            return True

        def open(self):
            self.set_nodelay(True)
            if scenario == 'lines':
                _log('app_start')
                for i in range(n):
                    self.write_message(line(i))
                _log('app_done')
            else:
                self.write_message('ready')

        def on_message(self, message):
            self.write_message(message)
    return Bare


def serve(scenario, n, port):
    """Serve until killed (the harness kills the process group)."""
    import tornado.web

    async def main():
        tornado.web.Application([(r'/', make_handler(scenario, n))]).listen(port, '127.0.0.1')
        await asyncio.Event().wait()
    print(f"BENCH-SERVER impl=floor scenario={scenario} n={n} port={port}", file=sys.stderr,
          flush=True)
    asyncio.run(main())
