"""The process entrypoint of every service:

    python -m common.serve capacity.app:create_app --port 8001

uvicorn with one worker and this platform's choices (uvloop, httptools, our own access
log), after the process-wide tuning that belongs to a process, not to an app's start-up
(tests start many apps in one process).
"""

from __future__ import annotations

import argparse
import gc

import uvicorn
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

KEEP_ALIVE_SECONDS = 75


class ServerSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    gc_gen0_threshold: int = Field(
        50_000,
        ge=700,
        description="Allocations between young-generation collections (Python's default 700).",
    )


def tune_garbage_collector(settings: ServerSettings) -> None:
    """A request allocates thousands of short-lived objects: at Python's default threshold
    (700) the collector ran several times per request, for nothing (measured: ~15 % of the
    CPU of a write). Memory stays bounded; collections are rarer, not skipped."""
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(settings.gc_gen0_threshold, older, oldest)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("app", help="the app factory, e.g. capacity.app:create_app")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    arguments = parser.parse_args(argv)
    tune_garbage_collector(ServerSettings())
    config = uvicorn.Config(
        arguments.app,
        factory=True,
        host=arguments.host,
        port=arguments.port,
        loop="uvloop",
        http="httptools",
        access_log=False,  # the app's own middleware logs each request, with its trace id
        # Longer than a client keeps an idle connection (the gateway's proxy 30 s, load
        # balancers commonly 60 s): a connection is then never closed here just as a client
        # sends on it (uvicorn's 5 s default raced the proxy's 5 s).
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
    )
    config.load()
    # What start-up made lives as long as the process: out of the collector's way (shorter,
    # rarer pauses under load).
    gc.collect()
    gc.freeze()
    uvicorn.Server(config).run()


if __name__ == "__main__":
    main()
