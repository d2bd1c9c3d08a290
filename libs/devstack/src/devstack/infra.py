"""PostgreSQL and NATS JetStream alone, for what runs the services some other way (the
container image's smoke test, scripts/image-smoke.sh):

    python -m devstack.infra --data-dir DIR [--database NAME ...] [--env-file FILE]

Starts both servers on free loopback ports with their data under DIR, creates the named
databases, writes `DATABASE_URL=` (the server's `postgres` database) and `NATS_URL=` lines to
FILE (or standard output) once both answer, and runs until SIGTERM or SIGINT, then stops them.
With --throwaway the servers run without durability (fsync off) and DIR is removed at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import shutil
import signal
import threading
from contextlib import ExitStack
from pathlib import Path
from types import FrameType

from devstack.databases import ensure_database
from devstack.nats import EmbeddedNats
from devstack.postgres import TEST_SETTINGS, EmbeddedPostgres

log = logging.getLogger("devstack.infra")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, required=True, help="where the data goes")
    parser.add_argument(
        "--database", action="append", default=[], help="a database to create (repeatable)"
    )
    parser.add_argument("--env-file", type=Path, help="write the URLs here (default: stdout)")
    parser.add_argument(
        "--throwaway", action="store_true", help="no durability; remove --data-dir at the end"
    )
    arguments = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")

    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)

    data_dir: Path = arguments.data_dir.resolve()
    with ExitStack() as cleanup:
        if arguments.throwaway:
            cleanup.callback(shutil.rmtree, data_dir, ignore_errors=True)
        postgres = EmbeddedPostgres(
            data_dir / "postgres", settings=TEST_SETTINGS if arguments.throwaway else None
        )
        cleanup.callback(postgres.stop)
        server_url = postgres.start()
        nats = EmbeddedNats(data_dir / "nats")
        cleanup.callback(nats.stop)
        nats_url = nats.start()
        for database in arguments.database:
            asyncio.run(ensure_database(server_url, database))

        lines = f"DATABASE_URL={server_url}\nNATS_URL={nats_url}\n"
        if arguments.env_file is None:
            print(lines, end="", flush=True)
        else:
            partial = arguments.env_file.with_name(arguments.env_file.name + ".partial")
            partial.write_text(lines)
            partial.replace(arguments.env_file)  # whoever waits for it reads it whole
        log.info("PostgreSQL on %s, NATS on %s; SIGTERM stops them", server_url, nats_url)
        stop.wait()
        log.info("stopping")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
