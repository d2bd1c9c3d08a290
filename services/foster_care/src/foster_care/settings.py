from common.settings import ServiceSettings
from pydantic import Field


class FosterCareSettings(ServiceSettings):
    service_name: str = "foster_care"
    database_url: str = Field(description="The foster_care database.")
