"""TBX names and value vocabularies shared by TBX reading and writing and the CSV/TSV format:
the TBX namespaces and dialects, term status and part of speech."""

from __future__ import annotations

from interp_service.glossary.records import PARTS_OF_SPEECH

__all__ = [
    "DIALECTS",
    "STATUS_OUT",
    "TBX3_NS",
    "XML_LANG",
    "normalize_part_of_speech",
    "normalize_status",
]

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
TBX3_NS = "urn:iso:std:iso:30042:ed-2"
DIALECTS = ("TBX-Basic", "TBX-v3")

_STATUS_IN: dict[str, str] = {
    "preferredterm": "preferred",
    "admittedterm": "admitted",
    "deprecatedterm": "deprecated",
    "supersededterm": "forbidden",
    "preferred": "preferred",
    "admitted": "admitted",
    "deprecated": "deprecated",
    "forbidden": "forbidden",
}
STATUS_OUT: dict[str, str] = {
    "preferred": "preferredTerm-admn-sts",
    "admitted": "admittedTerm-admn-sts",
    "deprecated": "deprecatedTerm-admn-sts",
    "forbidden": "supersededTerm-admn-sts",
}


def normalize_status(value: str) -> str | None:
    """Our term status for a TBX administrativeStatus value or our own name, else None."""
    key = value.strip().lower().removesuffix("-admn-sts")
    return _STATUS_IN.get(key)


def normalize_part_of_speech(value: str) -> str | None:
    """Our part of speech for a TBX partOfSpeech value (properNoun → noun), else None."""
    key = value.strip().lower()
    if key == "propernoun":
        return "noun"
    return key if key in PARTS_OF_SPEECH else None
