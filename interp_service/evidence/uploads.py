"""Reading a posted form with its file upload, for API routes and pages alike."""

from __future__ import annotations

from fastapi import Request
from starlette.datastructures import FormData

# The OpenAPI shape of an upload form (the routes read it through `posted_form`, not as
# declared parameters, so that the access check runs before the body is parsed).
UPLOAD_SCHEMA = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "description": {"type": "string", "maxLength": 500},
                    },
                }
            }
        },
    }
}


async def posted_form(request: Request) -> FormData:
    """The submitted form; declare it after the access policy so that it is read only
    once the caller is known. Limits: one file, 100 fields."""
    return await request.form(max_files=1, max_fields=100)
