from pydantic import Field

from common.settings import ServiceSettings


class FamilyCounsellingSettings(ServiceSettings):
    service_name: str = "family_counselling"
    database_url: str = Field(description="The family_counselling database.")
