"""Scenario 5: protocol clients (no browser) and the back-to-back echo loop.

Each client knows one implementation's wire format:

* PyWebIO 1.8.4: ws://HOST/?app=index&session=NEW; server frames are JSON
  objects ``{"command": ..., "task_id": ..., "spec": ...}`` (a list is
  accepted too); an input prompt is ``command == "input_group"``; answer
  ``{"event": "from_submit", "task_id": T, "data": {"data": TEXT}}``; the
  echo is ``{"command": "output", "spec": {"type": "text", "content": TEXT}}``.
* webio-desktop (docs/protocol.md): ws://HOST/?app=index; server frames are
  JSON arrays of ``{"cmd": ...}`` commands; a prompt is ``cmd == "form"``
  with ``task``; answer ``{"event": "submit", "task": T, "data": {"data": TEXT}}``;
  the echo is ``cmd == "output"`` with ``spec == {"type": "text", "content": TEXT, ...}``.
"""
import asyncio
import json
import statistics
import time

import websockets


class _Client:
    url_query = ''

    def __init__(self, port):
        self.port = port
        self.ws = None
        self.task = None          # current prompt's task id
        self.frames_in = 0
        self.commands_in = 0

    async def connect(self, timeout):
        self.ws = await asyncio.wait_for(
            websockets.connect(f'ws://127.0.0.1:{self.port}/{self.url_query}', max_size=None,
                               open_timeout=timeout, ping_interval=None), timeout)
        # (no client keepalive pings: browsers send none; with thousands of sockets in one
        # client process on a loaded machine, its own pongs arrived late and it gave up)

    async def close(self):
        if self.ws is not None:
            try:
                await asyncio.wait_for(self.ws.close(), 5)
            except Exception:  # noqa: BLE001
                pass

    async def _commands(self):
        raw = await self.ws.recv()
        self.frames_in += 1
        msg = json.loads(raw)
        cmds = msg if isinstance(msg, list) else [msg]
        self.commands_in += len(cmds)
        return cmds

    async def wait_prompt(self, timeout):
        async def go():
            while True:
                for c in await self._commands():
                    t = self.prompt_task(c)
                    if t is not None:
                        self.task = t
                        return t
        return await asyncio.wait_for(go(), timeout)

    async def echo(self, text, timeout):
        """Submit text; return when its echo and the next prompt both arrived."""
        old = self.task
        await self.ws.send(json.dumps(self.submit(old, text)))

        async def go():
            echoed = new_prompt = False
            while not (echoed and new_prompt):
                for c in await self._commands():
                    if self.is_echo(c, text):
                        echoed = True
                    t = self.prompt_task(c)
                    if t is not None:  # PyWebIO reuses one task id per session thread
                        self.task, new_prompt = t, True
        await asyncio.wait_for(go(), timeout)


class PyWebIOClient(_Client):
    url_query = '?app=index&session=NEW'

    @staticmethod
    def prompt_task(c):
        return c.get('task_id') if c.get('command') == 'input_group' else None

    @staticmethod
    def submit(task, text):
        return {'event': 'from_submit', 'task_id': task, 'data': {'data': text}}

    @staticmethod
    def is_echo(c, text):
        s = c.get('spec') or {}
        return c.get('command') == 'output' and s.get('type') == 'text' and s.get('content') == text


class WebioClient(_Client):
    url_query = '?app=index'

    @staticmethod
    def prompt_task(c):
        return c.get('task') if c.get('cmd') == 'form' else None

    @staticmethod
    def submit(task, text):
        return {'event': 'submit', 'task': task, 'data': {'data': text}}

    @staticmethod
    def is_echo(c, text):
        s = c.get('spec') or {}
        return c.get('cmd') == 'output' and s.get('type') == 'text' and s.get('content') == text


CLIENTS = {'pywebio': PyWebIOClient, 'webio': WebioClient}


async def _echo_rtt(impl, port, n, warmup, op_timeout, budget):
    c = CLIENTS[impl](port)
    res = {'n_requested': n}
    t0 = time.perf_counter()
    try:
        await c.connect(op_timeout)
        await c.wait_prompt(op_timeout)
        res['connect_to_first_prompt_ms'] = (time.perf_counter() - t0) * 1e3
        rtts = []
        deadline = time.monotonic() + budget
        for i in range(warmup + n):
            if time.monotonic() > deadline:
                res['note'] = f'stopped at budget {budget}s after {len(rtts)} samples'
                break
            text = f'wire-{i}-x'
            s = time.perf_counter()
            await c.echo(text, op_timeout)
            if i >= warmup:
                rtts.append((time.perf_counter() - s) * 1e3)
        res.update(samples=rtts, n=len(rtts), frames_in=c.frames_in, commands_in=c.commands_in)
        if rtts:
            q = sorted(rtts)
            res.update(median=statistics.median(q), min=q[0], max=q[-1],
                       p90=q[min(len(q) - 1, int(0.9 * len(q)))])
    finally:
        await c.close()
    return res


def echo_rtt(impl, port, n=200, warmup=5, op_timeout=10, budget=60):
    return asyncio.run(_echo_rtt(impl, port, n, warmup, op_timeout, budget))
