from pydantic import Field

from common.settings import ServiceSettings


class FosterCareSettings(ServiceSettings):
    service_name: str = "foster_care"
    database_url: str = Field(description="The foster_care database.")
