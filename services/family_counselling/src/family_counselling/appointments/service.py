"""Rules of appointments: one outcome each, the first attended session ends the wait (a
no-show does not), and mediation slots booked first come, first served. Answers in the
API's terms; never commits (the unit of work does) and never touches SQL (the repositories
do)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from common import clock
from common.access import check_access
from common.auth import Principal
from common.errors import Conflict, InvalidInput, ensure_not_in_future
from common.ids import new_id
from common.pagination import Page
from common.uow import UnitOfWork
from family_counselling.appointments.events import (
    APPOINTMENT_OUTCOME_RECORDED,
    APPOINTMENT_SCHEDULED,
    AppointmentOutcomeRecorded,
    AppointmentScheduled,
)
from family_counselling.appointments.models import Appointment
from family_counselling.appointments.repository import AppointmentRepository
from family_counselling.appointments.schemas import (
    AppointmentIn,
    AppointmentOut,
    BookingIn,
    OutcomeIn,
)
from family_counselling.cases.models import Case
from family_counselling.cases.repository import CaseRepository
from family_counselling.cases.service import get_visible as get_visible_case
from family_counselling.codes import AppointmentKind, CaseStatus, CaseType, Outcome
from family_counselling.offices.repository import MediationSlotRepository

RESOURCE = "case"  # an appointment is read and changed as part of its case


def _check_kind(case: Case, kind: AppointmentKind) -> None:
    if kind is AppointmentKind.mediation and case.case_type is not CaseType.mediation:
        raise InvalidInput("kind", "a mediation session belongs to a mediation case")


def _scheduled(uow: UnitOfWork, case: Case, appointment: Appointment) -> AppointmentOut:
    uow.emit(
        APPOINTMENT_SCHEDULED,
        subject=case.id,
        data=AppointmentScheduled(
            appointment_id=appointment.id,
            case_id=case.id,
            office_id=case.office_id,
            region=case.region,
            case_type=case.case_type,
            kind=appointment.kind,
            scheduled_at=appointment.scheduled_at,
            slot_id=appointment.slot_id,
        ),
    )
    return AppointmentOut.model_validate(appointment)


async def create_appointment(
    uow: UnitOfWork, principal: Principal, case_id: UUID, data: AppointmentIn
) -> AppointmentOut:
    case = await get_visible_case(
        uow, principal, case_id, action="update", purpose="appointment", for_update=True
    )
    if case.status is CaseStatus.closed:
        raise Conflict("The case is closed; reopen it to make appointments.")
    _check_kind(case, data.kind)
    if data.outcome is not None and data.recorded_at is None:
        raise InvalidInput("recorded_at", "is required with an outcome")
    if data.recorded_at is not None and data.outcome is None:
        raise InvalidInput("outcome", "is required with recorded_at")
    if data.scheduled_at < case.referral_received_at:
        raise InvalidInput("scheduled_at", "must not be before the referral was received")
    appointment = AppointmentRepository(uow).add(
        Appointment(
            id=new_id(),
            case_id=case.id,
            office_id=case.office_id,
            scheduled_at=data.scheduled_at,
            kind=data.kind,
            version=1,  # set now: an outcome given with it counts on from here before flush
        )
    )
    answer = _scheduled(uow, case, appointment)
    if data.outcome is None or data.recorded_at is None:
        return answer
    return await _record_outcome(uow, appointment, case, data.outcome, data.recorded_at)


async def book_slot(
    uow: UnitOfWork, principal: Principal, case_id: UUID, data: BookingIn
) -> AppointmentOut:
    """A mediation case books a published slot of its office; of two bookings racing for
    one slot exactly one wins (the other is told 409)."""
    case = await get_visible_case(
        uow, principal, case_id, action="update", purpose="booking", for_update=True
    )
    if case.case_type is not CaseType.mediation:
        raise Conflict("Mediation slots are booked by mediation cases.")
    if case.status is CaseStatus.closed:
        raise Conflict("The case is closed; reopen it to book a slot.")
    slot = await MediationSlotRepository(uow).book(
        data.slot_id, case.office_id, case.id, clock.now()
    )
    if slot is None:
        raise Conflict(
            f"Slot {data.slot_id} is not free at this case's office: booked by another "
            "case, past, or another office's."
        )
    appointment = AppointmentRepository(uow).add(
        Appointment(
            id=new_id(),
            case_id=case.id,
            office_id=case.office_id,
            slot_id=slot.id,
            scheduled_at=slot.starts_at,
            kind=AppointmentKind.mediation,
        )
    )
    return _scheduled(uow, case, appointment)


async def list_appointments(
    uow: UnitOfWork, principal: Principal, case_id: UUID
) -> Page[AppointmentOut]:
    case = await get_visible_case(uow, principal, case_id, purpose="appointments")
    appointments = await AppointmentRepository(uow).list_of(case.id)
    return Page[AppointmentOut](items=[AppointmentOut.model_validate(a) for a in appointments])


async def _get_visible(
    uow: UnitOfWork,
    principal: Principal,
    appointment_id: UUID,
    *,
    action: str = "read",
    for_update: bool = False,
) -> tuple[Appointment, Case]:
    appointment = await AppointmentRepository(uow).get(appointment_id, for_update=for_update)
    case = (
        await CaseRepository(uow).get(appointment.case_id, for_update=for_update)
        if appointment is not None
        else None
    )
    check_access(
        uow,
        principal,
        case,
        resource_type=RESOURCE,
        resource_id=appointment.case_id if appointment is not None else appointment_id,
        action=action,
        purpose=f"appointment {appointment_id}",
        what="appointment" if appointment is None else None,
    )
    assert appointment is not None
    assert case is not None
    return appointment, case


async def get_appointment(
    uow: UnitOfWork, principal: Principal, appointment_id: UUID
) -> AppointmentOut:
    appointment, _case = await _get_visible(uow, principal, appointment_id)
    return AppointmentOut.model_validate(appointment)


async def record_outcome(
    uow: UnitOfWork, principal: Principal, appointment_id: UUID, data: OutcomeIn
) -> AppointmentOut:
    appointment, case = await _get_visible(
        uow, principal, appointment_id, action="update", for_update=True
    )
    if appointment.outcome is not None:
        raise Conflict(f"The appointment's outcome was recorded already: {appointment.outcome}.")
    return await _record_outcome(uow, appointment, case, data.outcome, data.recorded_at)


async def _record_outcome(
    uow: UnitOfWork, appointment: Appointment, case: Case, outcome: Outcome, recorded_at: datetime
) -> AppointmentOut:
    now = clock.now()
    ensure_not_in_future("recorded_at", recorded_at)
    happened = outcome in (Outcome.attended, Outcome.no_show)
    if happened and appointment.scheduled_at > now + clock.CLOCK_SKEW:
        raise InvalidInput("outcome", f"{outcome} is recorded once the appointment was due")
    if happened and recorded_at < appointment.scheduled_at:
        raise InvalidInput("recorded_at", "must not be before the appointment")
    appointment.outcome = outcome
    appointment.outcome_recorded_at = recorded_at
    appointment.version += 1
    if appointment.slot_id is not None and not happened:
        # A booked slot rescheduled is given back for another case to book, if still ahead.
        await MediationSlotRepository(uow).release(appointment.slot_id, now)
    # The first attended session is the earliest, whatever order outcomes are recorded in
    # (a session recorded late may come before the one that ended the wait so far).
    attended = outcome is Outcome.attended
    first = (
        attended
        and appointment.scheduled_at >= case.referral_received_at
        and (case.first_attended_at is None or appointment.scheduled_at < case.first_attended_at)
    )
    if first:
        case.first_attended_at = appointment.scheduled_at
    if attended and appointment.kind is AppointmentKind.mediation:
        day = clock.oslo_date(appointment.scheduled_at)
        if case.first_mediation_on is None or day < case.first_mediation_on:
            case.first_mediation_on = day
    case.version += 1
    case.updated_at = now
    uow.emit(
        APPOINTMENT_OUTCOME_RECORDED,
        subject=case.id,
        data=AppointmentOutcomeRecorded(
            appointment_id=appointment.id,
            case_id=case.id,
            office_id=case.office_id,
            region=case.region,
            case_type=case.case_type,
            kind=appointment.kind,
            scheduled_at=appointment.scheduled_at,
            outcome=outcome,
            recorded_at=recorded_at,
            referral_received_at=case.referral_received_at,
            first_attended=first,
        ),
    )
    return AppointmentOut.model_validate(appointment)
