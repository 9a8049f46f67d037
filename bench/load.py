"""Scenario 6: many concurrent sessions on one server process, over the WebSocket protocol.

N clients (wire.py's protocol clients, no browser) each open a session whose app waits in
``input()``. With all N open we read the server process's memory (RSS and USS, psutil) and
thread count; then every client answers its input ``rounds`` times (``C`` answers in flight at
a time) and we time each echo
(submit -> echo and next prompt received). Per-session memory is (loaded - baseline) / N, the
baseline taken after a warm-up round of sessions has been opened and closed.
"""
import asyncio
import statistics
import time

import psutil

import wire


def _memory(pid):
    info = psutil.Process(pid).memory_full_info()
    return info.rss, info.uss


async def _open(impl, port, n, concurrency, timeout):
    gate = asyncio.Semaphore(concurrency)

    async def one():
        client = wire.CLIENTS[impl](port)
        async with gate:
            await client.connect(timeout)
            await client.wait_prompt(timeout)
        return client

    results = await asyncio.gather(*(one() for _ in range(n)), return_exceptions=True)
    clients = [r for r in results if not isinstance(r, BaseException)]
    errors = [r for r in results if isinstance(r, BaseException)]
    return clients, errors


async def _close(clients):
    await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)


async def _settle(pid, seconds=0.5, rounds=10):
    """Wait until the server's RSS stops moving (sessions finished starting or closing)."""
    last = None
    for _ in range(rounds):
        await asyncio.sleep(seconds)
        rss = psutil.Process(pid).memory_info().rss
        if last is not None and abs(rss - last) < 64 * 1024:
            return
        last = rss


async def _session_load(impl, port, pid, n, concurrency, echo_concurrency, rounds, timeout):
    res = {'sessions_requested': n}
    warm, errors = await _open(impl, port, min(50, n), concurrency, timeout)
    for c in warm:
        await c.echo('warm-up', timeout)
    await _close(warm)
    await _settle(pid)
    rss0, uss0 = _memory(pid)
    threads0 = psutil.Process(pid).num_threads()

    t0 = time.perf_counter()
    clients, errors = await _open(impl, port, n, concurrency, timeout)
    res['open_s'] = round(time.perf_counter() - t0, 2)
    res['sessions_open'] = len(clients)
    if errors:
        res['open_errors'] = len(errors)
        res['first_error'] = f'{type(errors[0]).__name__}: {errors[0]}'
    await _settle(pid)
    rss1, uss1 = _memory(pid)
    opened = max(1, len(clients))
    res.update(rss_baseline_mib=rss0 / 2**20, rss_loaded_mib=rss1 / 2**20,
               uss_baseline_mib=uss0 / 2**20, uss_loaded_mib=uss1 / 2**20,
               rss_per_session_kib=(rss1 - rss0) / opened / 1024,
               uss_per_session_kib=(uss1 - uss0) / opened / 1024,
               threads_baseline=threads0, threads_loaded=psutil.Process(pid).num_threads())

    gate = asyncio.Semaphore(echo_concurrency)
    rtts = []

    async def echo(i, client):
        for round_ in range(rounds):
            async with gate:
                start = time.perf_counter()
                await client.echo(f'load-{i}-{round_}', timeout)
                rtts.append((time.perf_counter() - start) * 1e3)

    t0 = time.perf_counter()
    results = await asyncio.gather(*(echo(i, c) for i, c in enumerate(clients)),
                                   return_exceptions=True)
    res['echo_s'] = round(time.perf_counter() - t0, 2)
    failures = [r for r in results if isinstance(r, BaseException)]
    if failures:
        res['echo_errors'] = len(failures)
        res['first_echo_error'] = f'{type(failures[0]).__name__}: {failures[0]}'
    if rtts:
        q = sorted(rtts)
        res['echo'] = {'median': statistics.median(q), 'min': q[0], 'max': q[-1],
                       'p90': q[min(len(q) - 1, int(0.9 * len(q)))],
                       'p99': q[min(len(q) - 1, int(0.99 * len(q)))], 'n': len(q)}
    await _settle(pid)
    rss2, uss2 = _memory(pid)  # every session has now also received a message (inflate state)
    res.update(rss_after_echo_per_session_kib=(rss2 - rss0) / opened / 1024,
               uss_after_echo_per_session_kib=(uss2 - uss0) / opened / 1024)
    t0 = time.perf_counter()
    await _close(clients)
    res['close_s'] = round(time.perf_counter() - t0, 2)
    await _settle(pid)
    res['threads_after_close'] = psutil.Process(pid).num_threads()
    return res


def session_load(impl, port, pid, n=1000, concurrency=100, echo_concurrency=50, rounds=3,
                 timeout=30):
    return asyncio.run(_session_load(impl, port, pid, n, concurrency, echo_concurrency, rounds,
                                     timeout))
