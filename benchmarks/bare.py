"""The baselines: a bare FastAPI app with no auth, no middleware and no framework of ours.

- `GET /ping`: the cheapest answer FastAPI gives;
- `POST /echo`: validates a body the size of a placement request and returns it;
- `POST /write`: the same plus one asyncpg INSERT, the floor of any write that stores
  something (what ARCHITECTURE.md calls the one-statement write).
"""

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, datetime

import asyncpg
from fastapi import FastAPI
from pydantic import BaseModel

state: dict[str, asyncpg.Pool] = {}


@asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    url = os.environ.get("BARE_DATABASE_URL")
    if url:
        state["pool"] = await asyncpg.create_pool(url, min_size=20, max_size=20)
    yield
    if "pool" in state:
        await state["pool"].close()


app = FastAPI(lifespan=lifespan)


class Body(BaseModel):
    municipality_number: str
    child_ref: str
    birth_date: date
    urgency: str
    function: str
    need_concluded_at: datetime
    desired_start_date: date
    child_views_recorded: bool


@app.get("/ping")
async def ping() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/echo", status_code=201)
async def echo(body: Body) -> Body:
    return body


@app.post("/write", status_code=201)
async def write(body: Body) -> Body:
    await state["pool"].execute(
        "INSERT INTO audit_event (id, client_id, subject, action, resource_type, resource_id) "
        "VALUES ($1, 'bench', 'bench', 'create', 'bench', $2)",
        uuid.uuid4(),
        body.child_ref,
    )
    return body
