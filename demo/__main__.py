"""python -m demo [load|verify] [--base-url URL] [--slice] [--only PART] [--seed N]

`load` makes the demo year (or the slice) through the gateway at --base-url and then checks
the gateway's KPIs against the 2024 figures; `verify` only checks. Exit 1 when a figure is
off by more than the tolerance.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time

import demo
from demo.calibration import summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m demo")
    parser.add_argument("command", choices=["load", "verify"], nargs="?", default="load")
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--slice", action="store_true", help="the slice `make run` loads")
    parser.add_argument("--only", choices=sorted(demo.PARTS), action="append")
    parser.add_argument("--seed", type=int, default=demo.SEED)
    arguments = parser.parse_args(argv)
    scales = dict(demo.SLICE if arguments.slice else demo.YEAR)
    if arguments.only:
        scales = {name: scale for name, scale in scales.items() if name in arguments.only}
    if arguments.command == "load":
        started = time.monotonic()
        calls = asyncio.run(
            demo.load(arguments.base_url, scales=scales, seed=arguments.seed, report=print)
        )
        print(f"loaded: {calls} calls in {time.monotonic() - started:.0f} s")
    return report(asyncio.run(demo.verify(arguments.base_url, scales=scales, seed=arguments.seed)))


def report(outcomes: list[demo.Outcome]) -> int:
    print(summary(outcomes, demo.TOLERANCE))
    return 0 if all(outcome.within(demo.TOLERANCE) for outcome in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
