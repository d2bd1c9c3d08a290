"""Reference data every service shares: the five regions and which counties they cover."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, Field


class Region(StrEnum):
    ost = "ost"
    sor = "sor"
    vest = "vest"
    midt = "midt"
    nord = "nord"


# County number (the first two digits of a municipality number, numbering valid from 2024).
COUNTY_REGION: dict[str, Region] = {
    "03": Region.ost,
    "31": Region.ost,
    "32": Region.ost,
    "34": Region.ost,
    "33": Region.sor,
    "39": Region.sor,
    "40": Region.sor,
    "42": Region.sor,
    "11": Region.vest,
    "46": Region.vest,
    "15": Region.midt,
    "50": Region.midt,
    "18": Region.nord,
    "55": Region.nord,
    "56": Region.nord,
}

OSLO = "0301"


def region_of_county(municipality_number: str) -> Region | None:
    return COUNTY_REGION.get(municipality_number[:2])


def region_of_municipality(municipality_number: str) -> Region:
    """The region a known municipality belongs to; ValueError for an unknown number."""
    from common.municipalities import MUNICIPALITIES

    if municipality_number not in MUNICIPALITIES:
        raise ValueError(f"{municipality_number} is not a Norwegian municipality number (2024)")
    region = region_of_county(municipality_number)
    assert region is not None, "every 2024 municipality lies in a known county"
    return region


def _known_municipality(value: str) -> str:
    region_of_municipality(value)
    return value


MunicipalityNumber = Annotated[
    str,
    Field(
        pattern=r"^[0-9]{4}$",
        description="Four digits, numbering valid from 2024; the "
        "first two are the county, which decides the region.",
        examples=["4601"],
    ),
    AfterValidator(_known_municipality),
]
