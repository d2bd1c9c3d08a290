from common.settings import ServiceSettings
from pydantic import Field


class FamilyCounsellingSettings(ServiceSettings):
    service_name: str = "family_counselling"
    database_url: str = Field(description="The family_counselling database.")
