"""Beyond one process: several servers behind nginx, and uvicorn with two workers.

Sessions live in the memory of the process that holds their WebSocket, so any number of
processes can serve pages behind a proxy that passes WebSocket upgrades. Killing one process
ends its own sessions (their pages say so) and nobody else's.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import psutil
import pytest

from conftest import ROOT, free_port, wait_for_port, wait_until
from deploy import Nginx

pytestmark = pytest.mark.timeout(180)

APP = '''
import os, sys
from webio_desktop.input import input
from webio_desktop.output import put_text

def main():
    put_text(f"worker {os.getpid()}")
    while True:
        said = input("Say")
        put_text(f"{os.getpid()} echoes {said}")
'''

TORNADO = APP + '''
from webio_desktop import start_server
start_server(main, port=int(sys.argv[1]), host="127.0.0.1")
'''

ASGI = APP + '''
from webio_desktop.platform.fastapi import asgi_app
app = asgi_app(main)
'''


@pytest.fixture
def processes():
    procs: list[subprocess.Popen] = []

    def start(*args: str, cwd) -> subprocess.Popen:
        proc = subprocess.Popen([sys.executable, *args], cwd=cwd, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL,
                                env={**os.environ, "PYTHONPATH": f"{ROOT}:{cwd}"})
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        for child in psutil.Process(proc.pid).children(recursive=True) if proc.poll() is None else []:
            child.kill()
        proc.kill()
        proc.wait(10)


def say(page, text: str) -> None:
    field = page.locator("#webio-input input:not([disabled])").last
    field.fill(text)
    field.press("Enter")


def sessions_on_two_workers(browser, url: str, tries: int = 16) -> dict[int, object]:
    """Open pages until two different worker processes hold one session each."""
    pages: dict[int, object] = {}
    for _ in range(tries):
        context = browser.new_context()
        page = context.new_page()
        page.goto(url)
        text = page.get_by_text("worker ").inner_text(timeout=15_000)
        pid = int(text.split()[1])
        if pid in pages:
            context.close()
        else:
            pages[pid] = page
        if len(pages) == 2:
            return pages
    raise AssertionError(f"every session landed on {list(pages)}")


def check_kill_ends_only_its_sessions(pages: dict[int, object], browser, url: str) -> None:
    for pid, page in pages.items():
        say(page, "hi")
        page.get_by_text(f"{pid} echoes hi").wait_for()
    victim, survivor = list(pages)
    os.kill(victim, signal.SIGKILL)
    pages[victim].get_by_text("Disconnected from the server").wait_for(timeout=15_000)
    assert pages[victim].locator("#webio-input input:not([disabled])").count() == 0
    # The other worker's session goes on as if nothing happened.
    say(pages[survivor], "still there?")
    pages[survivor].get_by_text(f"{survivor} echoes still there?").wait_for()
    assert pages[survivor].get_by_text("Disconnected").count() == 0
    # And new visitors are still served.
    page = browser.new_context().new_page()
    page.goto(url)
    text = page.get_by_text("worker ").inner_text(timeout=15_000)
    pid = int(text.split()[1])
    say(page, "new")
    page.get_by_text(f"{pid} echoes new").wait_for()
    for page in pages.values():
        page.context.close()


def test_two_tornado_servers_behind_nginx(browser, processes, tmp_path):
    (tmp_path / "app.py").write_text(textwrap.dedent(TORNADO))
    ports = [free_port(), free_port()]
    for port in ports:
        processes("app.py", str(port), cwd=tmp_path)
    for port in ports:
        wait_for_port(port)
    with Nginx(ports) as proxy:
        pages = sessions_on_two_workers(browser, proxy.url)
        assert set(pages) == {p.pid for p in psutil.Process().children()
                              if p.pid in pages}  # one session on each server process
        check_kill_ends_only_its_sessions(pages, browser, proxy.url)


def test_uvicorn_with_two_workers(browser, processes, tmp_path):
    (tmp_path / "deploy_app.py").write_text(textwrap.dedent(ASGI))
    port = free_port()
    supervisor = processes("-m", "uvicorn", "deploy_app:app", "--workers", "2", "--host",
                           "127.0.0.1", "--port", str(port), "--log-level", "warning",
                           cwd=tmp_path)
    wait_for_port(port, 30)
    workers = wait_until(lambda: len(psutil.Process(supervisor.pid).children()) >= 2 and
                         psutil.Process(supervisor.pid).children(), 30, what="two workers")
    url = f"http://127.0.0.1:{port}/"
    pages = sessions_on_two_workers(browser, url, tries=30)
    assert set(pages) <= {w.pid for w in workers}
    check_kill_ends_only_its_sessions(pages, browser, url)
