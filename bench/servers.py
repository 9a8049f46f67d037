"""Child server processes: start, wait until listening, always kill."""
import ctypes
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
LOG_DIR = os.path.join(tempfile.gettempdir(), 'bench', 'logs')

_live = set()  # Popen objects not yet reaped


class ImplUnavailable(Exception):
    pass


def _child_setup():
    # own process group (killpg) and die with the harness even on SIGKILL
    os.setsid()
    try:
        ctypes.CDLL('libc.so.6', use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001
        pass


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def python_for(impl):
    """The interpreter that runs ``impl``'s children: PyWebIO 1.8.4 may live in a venv of its own
    (``PYWEBIO_PYTHON=/path/to/venv/bin/python``), ours and the floor run in this one."""
    if impl == 'pywebio':
        return os.environ.get('PYWEBIO_PYTHON') or sys.executable
    return sys.executable


def _env():
    env = dict(os.environ)
    env['PYTHONPATH'] = REPO + (os.pathsep + env['PYTHONPATH'] if env.get('PYTHONPATH') else '')
    env['PYTHONUNBUFFERED'] = '1'
    return env


def check_impl(impl, timeout=30):
    """Return (ok, message) for whether the implementation can be imported."""
    try:
        p = subprocess.run([python_for(impl), os.path.join(HERE, 'app_runner.py'), '--impl', impl,
                            '--scenario', 'ready', '--port', '0', '--check'],
                           capture_output=True, text=True, timeout=timeout, env=_env(), cwd=REPO,
                           preexec_fn=_child_setup)
    except subprocess.TimeoutExpired:
        return False, f'import check timed out after {timeout}s'
    if p.returncode == 0:
        return True, p.stdout.strip()
    lines = [ln for ln in (p.stderr + p.stdout).splitlines() if ln.strip()]
    msg = next((ln for ln in lines if 'BENCH-IMPL-UNAVAILABLE' in ln), lines[-1] if lines else f'rc={p.returncode}')
    return False, msg.replace('BENCH-IMPL-UNAVAILABLE ', '')


class Server:
    """Context manager: one scenario app served by one implementation (``pywebio``, ``webio``,
    or ``floor``: bare Tornado, see floor.py)."""

    def __init__(self, impl, scenario, n=0, start_timeout=30, backend='tornado'):
        self.impl, self.scenario, self.n = impl, scenario, n
        self.backend = backend
        self.start_timeout = start_timeout
        self.port = None
        self.proc = None
        os.makedirs(LOG_DIR, exist_ok=True)
        suffix = '' if backend == 'tornado' else f'-{backend}'
        self.log_path = os.path.join(LOG_DIR, f'{impl}-{scenario}-{n}{suffix}.log')

    @property
    def url(self):
        return f'http://127.0.0.1:{self.port}/'

    @property
    def pid(self):
        """The server process (app_runner.py runs the server in itself)."""
        return self.proc.pid

    def __enter__(self):
        self.port = free_port()
        self._log = open(self.log_path, 'w')
        self.proc = subprocess.Popen(
            [python_for(self.impl), os.path.join(HERE, 'app_runner.py'), '--impl', self.impl,
             '--scenario', self.scenario, '--port', str(self.port), '--n', str(self.n),
             '--backend', self.backend],
            stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env=_env(), cwd=REPO, preexec_fn=_child_setup)
        _live.add(self.proc)
        try:
            self._wait_listening()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_listening(self):
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            rc = self.proc.poll()
            if rc is not None:
                tail = self.log_tail()
                if rc == 3:
                    raise ImplUnavailable(tail)
                raise RuntimeError(f'{self.impl} server exited rc={rc}: {tail}')
            try:
                with socket.create_connection(('127.0.0.1', self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f'{self.impl} server not listening after {self.start_timeout}s: {self.log_tail()}')

    def log_tail(self, n=6):
        try:
            self._log.flush()
            with open(self.log_path) as f:
                lines = [ln.rstrip() for ln in f if ln.strip()]
            return ' | '.join(lines[-n:])
        except OSError:
            return ''

    def log_lines(self):
        try:
            with open(self.log_path) as f:
                return f.read().splitlines()
        except OSError:
            return []

    def stop(self):
        p = self.proc
        if p is None:
            return
        for sig, wait in ((signal.SIGTERM, 3), (signal.SIGKILL, 5)):
            if p.poll() is not None:
                break
            try:
                os.killpg(p.pid, sig)
            except ProcessLookupError:
                break
            try:
                p.wait(wait)
            except subprocess.TimeoutExpired:
                pass
        _live.discard(p)
        try:
            self._log.close()
        except Exception:  # noqa: BLE001
            pass
        self.proc = None

    def __exit__(self, *exc):
        self.stop()


def kill_all():
    for p in list(_live):
        if p.poll() is not None:  # already reaped: its pid may be reused, leave it
            _live.discard(p)
            continue
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            p.wait(5)
        except Exception:  # noqa: BLE001
            pass
        _live.discard(p)
