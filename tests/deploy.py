"""A throwaway nginx reverse proxy on 127.0.0.1 for deployment tests and benchmarks.

``Nginx`` writes its own config into a temporary folder and runs Debian's nginx with ``-p``/``-c``
(no root-wide config, no files outside the folder), proxying WebSocket upgrades to the given
backends. Reusable by any test that needs several server processes behind one address::

    with Nginx([8001, 8002]) as proxy:
        page.goto(proxy.url + "?app=index")

``balance`` picks nginx's upstream method: ``""`` (round robin), ``"ip_hash"`` or e.g.
``"hash $cookie_webio_route consistent"`` for sticky HTTP sessions.
"""
from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from webio_desktop.utils import get_free_port

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

CONFIG = """\
worker_processes 1;
daemon off;
master_process on;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {root}/tmp/body;
    proxy_temp_path {root}/tmp/proxy;
    fastcgi_temp_path {root}/tmp/fastcgi;
    uwsgi_temp_path {root}/tmp/uwsgi;
    scgi_temp_path {root}/tmp/scgi;
    client_max_body_size {max_body};

    # Connection: upgrade only when the client asks for it (keeps plain requests keep-alive).
    map $http_upgrade $connection_upgrade {{
        default upgrade;
        ''      '';
    }}

    upstream webio {{
        {balance}
{servers}
        keepalive 16;
    }}

    server {{
        listen 127.0.0.1:{port};
        location {location} {{
            proxy_pass http://webio{upstream_path};
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_read_timeout 3600s;   # a session may sit idle for long
            proxy_buffering off;         # long-poll replies and frames go out at once
        }}
    }}
}}
"""


class Nginx:
    """nginx on ``127.0.0.1:port`` in front of ``backends`` (ports on 127.0.0.1)."""

    def __init__(self, backends: list[int], *, port: int | None = None, balance: str = "",
                 location: str = "/", upstream_path: str = "", max_body: str = "200m") -> None:
        self.backends = list(backends)
        self.port = port or get_free_port()
        self.balance = f"{balance};" if balance else ""
        self.location = location
        self.upstream_path = upstream_path
        self.max_body = max_body
        self.root: Path | None = None
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.location}"

    def config(self, root: Path) -> str:
        servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=0;" for p in self.backends)
        return CONFIG.format(root=root, port=self.port, balance=self.balance, servers=servers,
                             location=self.location, upstream_path=self.upstream_path,
                             max_body=self.max_body)

    def start(self, timeout: float = 15) -> "Nginx":
        self.root = Path(tempfile.mkdtemp(prefix="webio-nginx-"))
        (self.root / "tmp").mkdir()
        conf = self.root / "nginx.conf"
        conf.write_text(self.config(self.root))
        # -e: nginx opens its default error log before reading the config; keep it in the folder.
        self.proc = subprocess.Popen([NGINX, "-p", str(self.root), "-c", str(conf),
                                      "-e", str(self.root / "error.log")],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     text=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"nginx exited: {self.proc.stderr.read()} {self.error_log()}")
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return self
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"nginx did not listen on {self.port}: {self.error_log()}")

    def error_log(self) -> str:
        path = self.root / "error.log" if self.root else None
        return path.read_text() if path and path.exists() else ""

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()  # SIGTERM: fast shutdown of master and workers
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        if self.proc is not None and self.proc.stderr is not None:
            self.proc.stderr.close()
        self.proc = None
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None

    def __enter__(self) -> "Nginx":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class Relay:
    """A TCP relay on 127.0.0.1 the test can break, like a network drop: ``blackhole()`` drops
    every byte of the open connections (the sender believes them sent), ``cut()`` closes them
    all at once; new connections are relayed again."""

    def __init__(self, target_port: int) -> None:
        import threading

        self.target_port = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.accepted = 0
        self.dropping = False
        self._pairs: list[tuple[socket.socket, socket.socket]] = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._accept, name="relay", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        import threading

        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port))
            except OSError:
                client.close()
                continue
            with self._lock:
                self.accepted += 1
                self._pairs.append((client, upstream))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                if not self.dropping:
                    dst.sendall(data)
        except OSError:
            pass
        for sock in (src, dst):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def blackhole(self) -> None:
        self.dropping = True

    def cut(self) -> None:
        with self._lock:
            pairs, self._pairs = self._pairs, []
            self.dropping = False
        for pair in pairs:
            for sock in pair:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()

    def close(self) -> None:
        try:
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread
        except OSError:
            pass
        self.listener.close()
        self._thread.join(5)
        self.cut()
