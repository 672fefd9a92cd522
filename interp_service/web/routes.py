"""All page routers, in the order they are mounted."""

from interp_service.web.pages_admin import router as admin_pages
from interp_service.web.pages_auth import router as auth_pages
from interp_service.web.pages_case_parts import router as case_part_pages
from interp_service.web.pages_cases import router as case_pages
from interp_service.web.pages_coverage import router as coverage_pages
from interp_service.web.pages_documents import router as document_pages
from interp_service.web.pages_glossary import router as glossary_pages
from interp_service.web.pages_glossary_edit import router as glossary_edit_pages
from interp_service.web.pages_interview import router as interview_pages
from interp_service.web.pages_interview_parts import router as interview_part_pages
from interp_service.web.pages_memory import router as memory_pages
from interp_service.web.pages_models import router as model_pages
from interp_service.web.pages_speech import router as speech_pages
from interp_service.web.pages_transcript_review import router as transcript_review_pages
from interp_service.web.pages_transcripts import router as transcript_pages

routers = (
    auth_pages,
    case_pages,
    case_part_pages,
    interview_pages,
    interview_part_pages,
    admin_pages,
    glossary_pages,
    glossary_edit_pages,
    memory_pages,
    coverage_pages,
    model_pages,
    speech_pages,
    transcript_pages,
    transcript_review_pages,
    document_pages,
)
