from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Depends, Response

from common.errors import problem_responses
from common.etag import etag_of
from common.http import created
from common.pagination import Page
from common.routing import UnitOfWorkRoute
from family_counselling.appointments import service
from family_counselling.appointments.schemas import (
    AppointmentIn,
    AppointmentOut,
    BookingIn,
    OutcomeIn,
)
from family_counselling.dependencies import Context, read_scope, write_scope

router = APIRouter(
    prefix="/v1",
    tags=["appointments"],
    route_class=UnitOfWorkRoute,
    responses=problem_responses(401, 403),
)


@router.post(
    "/cases/{case_id}/appointments",
    status_code=201,
    summary="Make an appointment",
    responses=problem_responses(404, 409, 422),
)
async def create_appointment(
    case_id: UUID, body: AppointmentIn, response: Response, context: Context = Depends(write_scope)
) -> AppointmentOut:
    appointment = await service.create_appointment(context.uow, context.principal, case_id, body)
    created(response, f"/v1/appointments/{appointment.id}", appointment.version)
    return appointment


@router.post(
    "/cases/{case_id}/bookings",
    status_code=201,
    summary="Book a published mediation slot (the booked slot becomes an appointment)",
    responses=problem_responses(404, 409, 422),
)
async def book_slot(
    case_id: UUID, body: BookingIn, response: Response, context: Context = Depends(write_scope)
) -> AppointmentOut:
    appointment = await service.book_slot(context.uow, context.principal, case_id, body)
    created(response, f"/v1/appointments/{appointment.id}", appointment.version)
    return appointment


@router.get(
    "/cases/{case_id}/appointments",
    summary="A case's appointments",
    responses=problem_responses(404),
)
async def list_appointments(
    case_id: UUID, context: Context = Depends(read_scope)
) -> Page[AppointmentOut]:
    return await service.list_appointments(context.uow, context.principal, case_id)


@router.get(
    "/appointments/{appointment_id}",
    summary="Read an appointment",
    responses=problem_responses(404),
)
async def get_appointment(
    appointment_id: UUID, response: Response, context: Context = Depends(read_scope)
) -> AppointmentOut:
    appointment = await service.get_appointment(context.uow, context.principal, appointment_id)
    response.headers["ETag"] = etag_of(appointment.version)
    return appointment


@router.post(
    "/appointments/{appointment_id}/outcome",
    summary="Record an appointment's outcome (once)",
    responses=problem_responses(404, 409, 422),
)
async def record_outcome(
    appointment_id: UUID,
    body: OutcomeIn,
    response: Response,
    context: Context = Depends(write_scope),
) -> AppointmentOut:
    appointment = await service.record_outcome(context.uow, context.principal, appointment_id, body)
    response.headers["ETag"] = etag_of(appointment.version)
    return appointment
