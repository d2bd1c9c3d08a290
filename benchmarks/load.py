"""An HTTP/1.1 load generator over `clients` keep-alive connections, for `seconds`:

- closed loop (`run`): each connection sends its next request as soon as the previous answer
  arrived, which finds the most the server can answer; latency there is mostly queueing
  (Little's law: p50 is about clients / throughput);
- open loop (`run_at_rate`): requests arrive on a fixed schedule whether or not earlier ones
  were answered, and latency counts from the scheduled time, waiting for a free connection
  included (no coordinated omission): how fast the server answers at a given load.

Hand-written because no load tool reachable from this machine's registries is light enough:
a Python HTTP client would take more CPU than the server it measures. This one writes raw
requests and reads just the status line, headers and body length, on uvloop."""

from __future__ import annotations

import asyncio
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Result:
    name: str
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    statuses: dict[int, int]
    server_cpu_seconds: float | None = None
    offered_rps: float | None = None

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    @property
    def cpu_ms_per_request(self) -> float | None:
        """The server process's CPU time per answer: what the work costs, whatever else ran."""
        if self.server_cpu_seconds is None or not self.requests:
            return None
        return self.server_cpu_seconds / self.requests * 1000


def cpu_seconds(pid: int | None) -> float | None:
    """User + system CPU time of a process so far (Linux)."""
    if pid is None:
        return None
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


RequestFactory = Callable[[int], bytes]


def request_bytes(
    method: str, url: str, *, body: bytes = b"", headers: dict[str, str] | None = None
) -> bytes:
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    lines = [f"{method} {target} HTTP/1.1", f"Host: {parts.netloc}", "Connection: keep-alive"]
    for name, value in (headers or {}).items():
        lines.append(f"{name}: {value}")
    if body:
        lines.append("Content-Type: application/json")
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
            break
    if length:
        await reader.readexactly(length)
    return status


async def run(
    name: str,
    url: str,
    make_request: RequestFactory,
    *,
    clients: int = 32,
    seconds: float = 10.0,
    warmup: float = 2.0,
    server_pid: int | None = None,
) -> Result:
    tally = _Tally()
    counter = iter(range(10**12))
    start = time.perf_counter()
    measure_from = start + warmup
    stop_at = measure_from + seconds

    cpu_at: list[float | None] = []

    async def client() -> None:
        reader, writer = await _connect(url)
        try:
            while True:
                sent = time.perf_counter()
                if sent >= stop_at:
                    return
                writer.write(make_request(next(counter)))
                status = await _read_response(reader)
                done = time.perf_counter()
                if sent >= measure_from:
                    tally.add(done - sent, status)
        finally:
            writer.close()

    async def cpu_meter() -> None:
        await asyncio.sleep(max(0.0, measure_from - time.perf_counter()))
        cpu_at.append(cpu_seconds(server_pid))
        await asyncio.sleep(max(0.0, stop_at - time.perf_counter()))
        cpu_at.append(cpu_seconds(server_pid))

    await asyncio.gather(cpu_meter(), *(client() for _ in range(clients)))
    return tally.result(name, seconds, cpu_at)


async def run_at_rate(
    name: str,
    url: str,
    make_request: RequestFactory,
    *,
    rate: float,
    clients: int = 32,
    seconds: float = 10.0,
    warmup: float = 2.0,
    server_pid: int | None = None,
) -> Result:
    """`rate` requests a second on a fixed schedule over at most `clients` connections."""
    free: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = asyncio.Queue()
    for _ in range(clients):
        free.put_nowait(await _connect(url))
    tally = _Tally()
    start = time.perf_counter()
    measure_from, total = start + warmup, int((warmup + seconds) * rate)

    async def one(index: int, due: float) -> None:
        reader, writer = await free.get()
        try:
            writer.write(make_request(index))
            status = await _read_response(reader)
        finally:
            free.put_nowait((reader, writer))
        if due >= measure_from:
            tally.add(time.perf_counter() - due, status)

    tasks = []
    cpu_before: float | None = None
    for index in range(total):
        due = start + index / rate
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        if cpu_before is None and due >= measure_from:
            cpu_before = cpu_seconds(server_pid)
        tasks.append(asyncio.create_task(one(index, due)))
    await asyncio.gather(*tasks)
    cpu_after = cpu_seconds(server_pid)
    while not free.empty():
        free.get_nowait()[1].close()
    return tally.result(name, seconds, [cpu_before, cpu_after], offered_rps=rate)


async def _connect(url: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    parts = urlsplit(url)
    return await asyncio.open_connection(parts.hostname or "127.0.0.1", parts.port or 80)


@dataclass
class _Tally:
    """The answers of the measured window: latency and status of each."""

    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)

    def add(self, latency: float, status: int) -> None:
        self.latencies.append(latency)
        self.statuses[status] = self.statuses.get(status, 0) + 1

    def result(
        self,
        name: str,
        seconds: float,
        cpu_at: list[float | None],
        offered_rps: float | None = None,
    ) -> Result:
        quantiles = statistics.quantiles(sorted(self.latencies), n=100, method="inclusive")
        return Result(
            name=name,
            requests=len(self.latencies),
            seconds=seconds,
            p50_ms=quantiles[49] * 1000,
            p99_ms=quantiles[98] * 1000,
            statuses=self.statuses,
            server_cpu_seconds=_difference(cpu_at),
            offered_rps=offered_rps,
        )


def _difference(readings: list[float | None]) -> float | None:
    if len(readings) != 2 or readings[0] is None or readings[1] is None:
        return None
    return readings[1] - readings[0]
