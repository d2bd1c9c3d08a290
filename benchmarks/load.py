"""A closed-loop HTTP/1.1 load generator: `clients` keep-alive connections, each sending its
next request as soon as the previous answer arrived, for `seconds`.

Hand-written because no load tool reachable from this machine's registries is light enough:
a Python HTTP client would take more CPU than the server it measures. This one writes raw
requests and reads just the status line, headers and body length, on uvloop."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Result:
    name: str
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    statuses: dict[int, int]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


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
) -> Result:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    counter = iter(range(10**12))
    start = time.perf_counter()
    measure_from = start + warmup
    stop_at = measure_from + seconds

    async def client() -> None:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while True:
                sent = time.perf_counter()
                if sent >= stop_at:
                    return
                writer.write(make_request(next(counter)))
                status = await _read_response(reader)
                done = time.perf_counter()
                if sent >= measure_from:
                    latencies.append(done - sent)
                    statuses[status] = statuses.get(status, 0) + 1
        finally:
            writer.close()

    await asyncio.gather(*(client() for _ in range(clients)))
    latencies.sort()
    quantiles = statistics.quantiles(latencies, n=100, method="inclusive")
    return Result(
        name=name,
        requests=len(latencies),
        seconds=seconds,
        p50_ms=quantiles[49] * 1000,
        p99_ms=quantiles[98] * 1000,
        statuses=statuses,
    )
