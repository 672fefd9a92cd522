"""One error family for the service, rendered as RFC 9457 problem+json at the edge."""

from __future__ import annotations

from typing import Any

PROBLEM_BASE = "https://interp-service.local/problems/"


class AppError(Exception):
    """Base error: `status` is the HTTP status, `kind` the stable problem type slug."""

    status = 400
    kind = "bad-request"
    title = "请求无效"

    def __init__(self, detail: str, *, field: str | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field
        self.extra = extra

    def to_problem(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": PROBLEM_BASE + self.kind,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if instance:
            body["instance"] = instance
        if self.field:
            body["errors"] = [{"field": self.field, "message": self.detail}]
        body.update(self.extra)
        return body


class ValidationFailed(AppError):
    status = 422
    kind = "validation"
    title = "输入有误"


class NotAuthenticated(AppError):
    status = 401
    kind = "not-authenticated"
    title = "需要登录"


class Forbidden(AppError):
    status = 403
    kind = "forbidden"
    title = "无权操作"


class CsrfFailed(Forbidden):
    kind = "csrf"
    title = "请求来源校验失败"


class NotFound(AppError):
    status = 404
    kind = "not-found"
    title = "未找到"


class Conflict(AppError):
    status = 409
    kind = "conflict"
    title = "与现有数据冲突"


class RecusalRequired(AppError):
    status = 409
    kind = "recusal"
    title = "存在利益冲突，须回避"


class TooManyAttempts(AppError):
    status = 429
    kind = "too-many-attempts"
    title = "尝试次数过多"


class AccountLocked(AppError):
    status = 423
    kind = "account-locked"
    title = "账户已锁定"


class PayloadTooLarge(AppError):
    status = 413
    kind = "payload-too-large"
    title = "内容过大"


class UnsupportedMedia(AppError):
    status = 415
    kind = "unsupported-media"
    title = "不支持的文件类型"


class IntegrityFailure(AppError):
    status = 500
    kind = "integrity"
    title = "数据完整性校验失败"


class Overloaded(AppError):
    status = 503
    kind = "overloaded"
    title = "服务繁忙"


class DeadlineExceeded(AppError):
    status = 504
    kind = "deadline-exceeded"
    title = "处理超时"


class GlossNotRendering(ValidationFailed):
    """A word-by-word gloss (or a suggestion with unknown words) offered as the
    interpreter's words."""

    kind = "gloss-not-a-rendering"
    title = "逐词对照不能作为译员译文"


class LanguageMismatch(ValidationFailed):
    """The typed text's identified language contradicts the chosen direction."""

    kind = "language-mismatch"
    title = "文字语言与记录方向不符"
