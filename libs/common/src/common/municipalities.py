"""TEMPORARY placeholder while the real list is being compiled."""

MUNICIPALITIES: dict[str, str] = {
    "0301": "Oslo",
    "1103": "Stavanger",
    "1804": "Bodø",
    "3301": "Drammen",
    "4204": "Kristiansand",
    "4601": "Bergen",
    "5001": "Trondheim",
    "5501": "Tromsø",
    "1108": "Sandnes",
    "3907": "Sandefjord",
}
