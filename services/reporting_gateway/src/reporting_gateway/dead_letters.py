"""The gateway's dead letters: list them, and apply them again once their cause is fixed.

    python -m reporting_gateway.dead_letters            # list, oldest first
    python -m reporting_gateway.dead_letters redrive    # apply every one again
    python -m reporting_gateway.dead_letters redrive 12 13

With the gateway's settings in the environment (in a container: the image's command, e.g.
`docker compose run --rm reporting_gateway python -m reporting_gateway.dead_letters`).
Safe while the gateway runs: the inbox decides who applies an event. Exits 1 when a dead
letter failed again (it stays, with the new error).
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from sqlalchemy import select

from common.platform import Platform
from common.platform_tables import dead_letter
from reporting_gateway.projections import PROJECTIONS
from reporting_gateway.settings import GatewaySettings


async def _list(platform: Platform) -> int:
    async with platform.session_factory() as session:
        rows = (
            await session.execute(
                select(
                    dead_letter.c.id,
                    dead_letter.c.consumer,
                    dead_letter.c.subject,
                    dead_letter.c.stream_sequence,
                    dead_letter.c.attempts,
                    dead_letter.c.dead_at,
                    dead_letter.c.error,
                ).order_by(dead_letter.c.id)
            )
        ).all()
    for row in rows:
        error = (row.error.splitlines() or [""])[0][:200]  # the SQL and traceback are in the row
        print(
            f"{row.id}\t{row.consumer}\t{row.subject}\tsequence {row.stream_sequence}\t"
            f"{row.attempts} attempts\t{row.dead_at:%Y-%m-%d %H:%M:%S%z}\t{error}"
        )
    print(f"{len(rows)} dead letters", file=sys.stderr)
    return 0


async def _redrive(platform: Platform, ids: list[int]) -> int:
    failed = False
    for consumer in platform.consumers:
        result = await consumer.redrive(ids)
        print(result)
        failed = failed or bool(result.failed)
    return 1 if failed else 0


async def _main(arguments: argparse.Namespace) -> int:
    platform = Platform(
        GatewaySettings(), subscriptions=[projection.subscription for projection in PROJECTIONS]
    )
    try:
        if arguments.command == "redrive":
            return await _redrive(platform, arguments.ids)
        return await _list(platform)
    finally:
        await platform.engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", nargs="?", choices=("list", "redrive"), default="list")
    parser.add_argument("ids", nargs="*", type=int, help="only these dead letters")
    return asyncio.run(_main(parser.parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
