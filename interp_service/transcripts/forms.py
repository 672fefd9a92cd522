"""Reading the transcript upload form (API and page alike) and the limits from settings."""

from __future__ import annotations

from starlette.datastructures import FormData

from interp_service.config import Settings
from interp_service.errors import ValidationFailed
from interp_service.transcripts.intake import Limits, Options

LANGUAGES = {"cmn", "mmr", "muq"}
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
                        "source_language": {"type": "string", "enum": sorted(LANGUAGES)},
                        "source_variety": {"type": "string", "maxLength": 64},
                        "target_language": {"type": "string", "enum": sorted(LANGUAGES)},
                        "target_variety": {"type": "string", "maxLength": 64},
                        "to_simplified": {"type": "string", "enum": ["", "on", "true"]},
                    },
                }
            }
        },
    }
}


def _field(form: FormData, name: str, default: str = "") -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) and value.strip() else default


def options_of(form: FormData) -> Options:
    source = _field(form, "source_language", "cmn")
    target = _field(form, "target_language", "mmr")
    for name, code in (("source_language", source), ("target_language", target)):
        if code not in LANGUAGES:
            raise ValidationFailed(f"不支持的语言代码：{code}", field=name)
    if source == target:
        raise ValidationFailed("原文语言与译文语言相同", field="target_language")
    varieties = (_field(form, "source_variety"), _field(form, "target_variety"))
    if any(len(v) > 64 for v in varieties):
        raise ValidationFailed("方言名称过长", field="target_variety")
    return Options(
        source_language=source,
        source_variety=varieties[0],
        target_language=target,
        target_variety=varieties[1],
        to_simplified=_field(form, "to_simplified") in ("on", "true", "1"),
    )


def limits_of(settings: Settings) -> Limits:
    return Limits(
        max_text_bytes=settings.max_transcript_text_bytes,
        max_upload_bytes=settings.max_upload_bytes,
        max_docx_uncompressed_bytes=settings.max_docx_uncompressed_bytes,
        max_audio_seconds=settings.max_audio_seconds,
    )
