"""Every table of the gateway database (what Alembic compares migrations against)."""

from reporting_gateway.db import Base
from reporting_gateway.kpis.models import DayPriceBudget
from reporting_gateway.projections import models as projections
from reporting_gateway.reports.models import Deviation, ReportSubmission

metadata = Base.metadata

__all__ = ["DayPriceBudget", "Deviation", "ReportSubmission", "metadata", "projections"]
