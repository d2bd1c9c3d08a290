"""The baseline: a bare FastAPI app, one GET and one POST that validates a body the size of a
placement request, with no database, no auth and no middleware."""

from datetime import date, datetime

from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()


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
