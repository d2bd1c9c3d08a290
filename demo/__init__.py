"""The national demo year 2024, made through the platform's public HTTP APIs.

`load` drives capacity, foster_care and family_counselling through the gateway with the
local issuer's national client, as an integrating system would, calibrated on the 2024
figures of KPIS.md and DOMAIN.md; `verify` reads the gateway's KPIs back and compares them
with those figures. `YEAR` is the whole year (`make demo`); `SLICE` is what `make run` loads on
first start: capacity and foster care whole, a twentieth of family counselling's cases (the
bulk of the calls), every office still there.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping

from demo import capacity, family_counselling, foster_care
from demo.calibration import Figure, Outcome, check
from demo.client import Platform

PARTS = {
    "capacity": capacity,
    "foster_care": foster_care,
    "family_counselling": family_counselling,
}
YEAR: Mapping[str, float] = {"capacity": 1.0, "foster_care": 1.0, "family_counselling": 1.0}
SLICE: Mapping[str, float] = {"capacity": 1.0, "foster_care": 1.0, "family_counselling": 0.05}
SEED = 2024
TOLERANCE = 0.05

FIGURES: list[Figure] = [figure for part in PARTS.values() for figure in part.FIGURES]


async def load(
    base_url: str,
    *,
    scales: Mapping[str, float] = YEAR,
    seed: int = SEED,
    report: Callable[[str], None] = lambda _line: None,
) -> int:
    """Make the year (or the slice) and wait until the gateway has applied all of it.
    Returns the number of calls made. Safe to run again after an interruption."""
    started = time.monotonic()
    async with Platform(base_url, seed=seed, scales=scales) as platform:

        async def part(name: str) -> None:
            await PARTS[name].generate(platform, scale=scales[name], seed=seed)
            report(f"{name}: done after {time.monotonic() - started:.0f} s")

        await asyncio.gather(*(part(name) for name in PARTS if scales.get(name)))
        await caught_up(platform)
        return platform.calls


async def caught_up(platform: Platform, stalled: float = 300.0) -> None:
    """Until the gateway has applied every event of every stream. However far behind it is
    (the whole year's events can outrun its consumer), it is waited for while it applies
    events; it is given up on only when `stalled` seconds pass without one applied."""
    progress: tuple[int, ...] = ()
    deadline = time.monotonic() + stalled
    while True:
        freshness = await platform.gateway.get("/v1/freshness")
        streams = freshness["items"]
        if all(stream["behind"] == 0 for stream in streams):
            return
        applied = tuple(stream["last_applied_sequence"] or 0 for stream in streams)
        if applied != progress:
            progress, deadline = applied, time.monotonic() + stalled
        elif time.monotonic() > deadline:
            raise TimeoutError(f"the gateway applied nothing for {stalled:.0f} s: {freshness}")
        await asyncio.sleep(0.5)


async def verify(
    base_url: str, *, scales: Mapping[str, float] = YEAR, seed: int = SEED
) -> list[Outcome]:
    """The gateway's KPIs against the calibration figures (for the parts that were loaded)."""
    async with Platform(base_url, seed=seed) as platform:
        figures = [figure for figure in FIGURES if scales.get(figure.service)]
        return await check(platform, figures, scales)


__all__ = ["FIGURES", "SEED", "SLICE", "TOLERANCE", "YEAR", "Figure", "Outcome", "load", "verify"]
