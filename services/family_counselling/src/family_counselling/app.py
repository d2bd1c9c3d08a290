"""create_app(): wiring only."""

from fastapi import FastAPI

from common.app import create_service_app
from family_counselling.appointments.router import router as appointments_router
from family_counselling.cases.router import router as cases_router
from family_counselling.certificates.router import router as certificates_router
from family_counselling.events import registry
from family_counselling.models import metadata
from family_counselling.offices.router import router as offices_router
from family_counselling.settings import FamilyCounsellingSettings


def create_app(settings: FamilyCounsellingSettings | None = None) -> FastAPI:
    settings = settings or FamilyCounsellingSettings()
    return create_service_app(
        settings,
        title="family_counselling",
        description="Family counselling offices, mediation and clinical cases, the work queue "
        "by priority, appointments and digital mediation booking, waiting times and "
        "mediation certificates.",
        routers=[cases_router, appointments_router, certificates_router, offices_router],
        metadata=metadata,
        events=registry,
        openapi_tags=[
            {"name": "offices", "description": "Offices, capacity and mediation slots."},
            {"name": "cases", "description": "Cases, triage, priority and the work queue."},
            {"name": "appointments", "description": "Appointments, outcomes, bookings."},
            {"name": "mediation certificates", "description": "Issue and check certificates."},
        ],
    )
