"""The shapes of the document-translation request (a multipart form) and its answer (a DOCX
attachment), for the API route and the page alike."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from interp_service.documents.service import DEFAULT_TARGET, MAX_VARIETY_CHARS, DocumentSummary
from interp_service.translation.service import SUPPORTED

DOCX_MEDIA = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TARGETS = sorted(SUPPORTED - {"cmn"})

# The routes read the form through `posted_form` (after the access check), so the request
# body is declared here rather than as parameters.
FORM_SCHEMA: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "中文 Word（.docx）文档",
                        },
                        "target_language": {
                            "type": "string",
                            "enum": TARGETS,
                            "default": DEFAULT_TARGET,
                        },
                        "target_variety": {
                            "type": "string",
                            "maxLength": MAX_VARIETY_CHARS,
                            "default": "",
                        },
                    },
                }
            }
        },
    }
}
DOCX_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "原文档，每段之后附译文建议段落（附件）",
        "content": {DOCX_MEDIA: {"schema": {"type": "string", "format": "binary"}}},
    }
}


def attachment_headers(name: str, summary: DocumentSummary) -> dict[str, str]:
    """Content-Disposition for `name` (UTF-8 per RFC 6266, with an ASCII fallback), the
    stored original's evidence id and the answer's SHA-256 (as the audit trail has it)."""
    return {
        "content-disposition": (
            f"attachment; filename=\"translation.docx\"; filename*=UTF-8''{quote(name, safe='')}"
        ),
        "x-evidence-id": str(summary.evidence_id),
        "x-content-sha256": summary.result_sha256,
    }
