"""Pydantic's validation errors as plain Chinese messages, for pages and problem+json.

Pydantic writes its messages in English (「String should have at least 1 character」);
users of the service read Chinese. `message` turns one error dict (``type``, ``ctx``,
``msg``) into a short Chinese sentence. The project's own messages (a ``ValueError`` or a
``PydanticCustomError`` raised with Chinese text) are kept as written; anything else that
is not known here becomes 「输入无效」, never pydantic's English.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, get_args

from pydantic_core.core_schema import ErrorType

GENERIC = "输入无效"

#: Every error type pydantic itself raises; any other type is a PydanticCustomError.
BUILTIN_TYPES: frozenset[str] = frozenset(get_args(ErrorType))

_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
_QUOTED = re.compile(r"'([^']*)'")
_PREFIXES = ("Value error, ", "Assertion failed, ")

DATE_EXAMPLE = "2026-11-02"
DATETIME_EXAMPLE = "2026-11-02T09:30+08:00"


def has_chinese(text: str) -> bool:
    """Whether ``text`` holds Chinese characters or full-width punctuation."""
    return bool(_CJK.search(text))


def _ctx(err: Mapping[str, Any]) -> Mapping[str, Any]:
    ctx = err.get("ctx")
    return ctx if isinstance(ctx, Mapping) else {}


def _number(value: object) -> str:
    """A limit as users write it: ``3`` not ``3.0``."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def choices(expected: str) -> list[str]:
    """The allowed values of pydantic's ``expected`` text (``"'a', 'b' or 'c'"``)."""
    quoted = _QUOTED.findall(expected)
    if quoted:
        return [str(q) for q in quoted]
    parts = re.split(r",\s*|\s+or\s+", expected)
    return [p.strip() for p in parts if p.strip()]


def _one_of(err: Mapping[str, Any]) -> str:
    allowed = choices(str(_ctx(err).get("expected", "")))
    return "须为以下之一：" + "、".join(allowed) if allowed else "不是允许的取值"


def _too_short_text(err: Mapping[str, Any]) -> str:
    n = _ctx(err).get("min_length", 1)
    return "不能为空" if n in (0, 1) else f"至少 {n} 个字符"


def _too_short_items(err: Mapping[str, Any]) -> str:
    n = _ctx(err).get("min_length", 1)
    return "至少选择一项" if n in (0, 1) else f"至少 {n} 项"


def _too_long_items(err: Mapping[str, Any]) -> str:
    n = _ctx(err).get("max_length")
    return f"最多 {n} 项" if n is not None else "项数过多"


def _limit(template: str, key: str) -> Callable[[Mapping[str, Any]], str]:
    def render(err: Mapping[str, Any]) -> str:
        value = _ctx(err).get(key)
        return template.format(_number(value)) if value is not None else "超出允许范围"

    return render


def _url_scheme(err: Mapping[str, Any]) -> str:
    allowed = choices(str(_ctx(err).get("expected_schemes", "")))
    if not allowed:
        return "网址格式不正确"
    return "网址须以 " + " 或 ".join(f"{s}://" for s in allowed) + " 开头"


def _own_text(err: Mapping[str, Any]) -> str:
    """The error's text without pydantic's 「Value error, 」 or 「Assertion failed, 」."""
    text = str(err.get("msg", ""))
    for prefix in _PREFIXES:
        text = text.removeprefix(prefix)
    return text.strip()


_FIXED: dict[str, str] = {
    "missing": "必填",
    "missing_argument": "必填",
    "missing_keyword_only_argument": "必填",
    "missing_positional_only_argument": "必填",
    "extra_forbidden": "不允许的字段",
    "no_such_attribute": "不允许的字段",
    "unexpected_keyword_argument": "不允许的字段",
    "unexpected_positional_argument": "不允许的字段",
    "frozen_field": "不可修改",
    "frozen_instance": "不可修改",
    "string_pattern_mismatch": "格式不正确",
    "string_type": "须为文字",
    "string_sub_type": "须为文字",
    "string_unicode": "文字编码无效",
    "int_type": "须为整数",
    "int_parsing": "须为整数",
    "int_from_float": "须为整数，不能带小数",
    "int_parsing_size": "数值过大",
    "float_type": "须为数字",
    "float_parsing": "须为数字",
    "decimal_type": "须为数字",
    "decimal_parsing": "须为数字",
    "finite_number": "须为有限的数字",
    "bool_type": "须为“是”或“否”（true 或 false）",
    "bool_parsing": "须为“是”或“否”（true 或 false）",
    "date_type": f"日期格式不正确，应如 {DATE_EXAMPLE}",
    "date_parsing": f"日期格式不正确，应如 {DATE_EXAMPLE}",
    "date_from_datetime_parsing": f"日期格式不正确，应如 {DATE_EXAMPLE}",
    "date_from_datetime_inexact": f"须为日期，不带时间，应如 {DATE_EXAMPLE}",
    "date_past": "须为今天以前的日期",
    "date_future": "须为今天以后的日期",
    "datetime_type": f"日期时间格式不正确，应如 {DATETIME_EXAMPLE}",
    "datetime_parsing": f"日期时间格式不正确，应如 {DATETIME_EXAMPLE}",
    "datetime_from_date_parsing": f"日期时间格式不正确，应如 {DATETIME_EXAMPLE}",
    "datetime_object_invalid": f"日期时间无效，应如 {DATETIME_EXAMPLE}",
    "datetime_past": "须为过去的时间",
    "datetime_future": "须为将来的时间",
    "timezone_aware": f"须带时区，应如 {DATETIME_EXAMPLE}",
    "timezone_naive": "不能带时区",
    "timezone_offset": "时区不正确",
    "time_type": "时间格式不正确，应如 09:30",
    "time_parsing": "时间格式不正确，应如 09:30",
    "time_delta_type": "时长格式不正确",
    "time_delta_parsing": "时长格式不正确",
    "list_type": "须为列表",
    "tuple_type": "须为列表",
    "set_type": "须为列表",
    "frozen_set_type": "须为列表",
    "iterable_type": "须为列表",
    "set_item_not_hashable": "列表中有无效的项",
    "dict_type": "须为对象（键值对）",
    "mapping_type": "须为对象（键值对）",
    "model_type": "须为对象（键值对）",
    "model_attributes_type": "须为对象（键值对）",
    "dataclass_type": "须为对象（键值对）",
    "dataclass_exact_type": "须为对象（键值对）",
    "arguments_type": "须为对象（键值对）",
    "json_invalid": "不是有效的 JSON",
    "json_type": "须为 JSON 文字",
    "none_required": "须为空",
    "url_type": "须为网址",
    "url_parsing": "网址格式不正确",
    "url_syntax_violation": "网址格式不正确",
    "uuid_type": "编号格式不正确",
    "uuid_parsing": "编号格式不正确",
    "uuid_version": "编号格式不正确",
    "bytes_type": "须为文字或文件内容",
    "bytes_invalid_encoding": "编码无效",
    "union_tag_invalid": "类型不正确",
    "union_tag_not_found": "缺少类型字段",
    "complex_type": "须为数字",
    "complex_str_parsing": "须为数字",
    # A ValueError or assert of a validator whose text is not Chinese (the Chinese ones
    # are kept as written, see `message`).
    "value_error": GENERIC,
    "assertion_error": GENERIC,
}

_RENDERERS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "string_too_short": _too_short_text,
    "string_too_long": _limit("不能超过 {} 个字符", "max_length"),
    "bytes_too_short": _limit("至少 {} 个字节", "min_length"),
    "bytes_too_long": _limit("不能超过 {} 个字节", "max_length"),
    "too_short": _too_short_items,
    "too_long": _too_long_items,
    "greater_than": _limit("须大于 {}", "gt"),
    "greater_than_equal": _limit("不能小于 {}", "ge"),
    "less_than": _limit("须小于 {}", "lt"),
    "less_than_equal": _limit("不能大于 {}", "le"),
    "multiple_of": _limit("须为 {} 的倍数", "multiple_of"),
    "decimal_max_digits": _limit("最多 {} 位数字", "max_digits"),
    "decimal_max_places": _limit("最多 {} 位小数", "decimal_places"),
    "decimal_whole_digits": _limit("整数部分最多 {} 位", "whole_digits"),
    "url_too_long": _limit("网址不能超过 {} 个字符", "max_length"),
    "url_scheme": _url_scheme,
    "literal_error": _one_of,
    "enum": _one_of,
}


def message(err: Mapping[str, Any]) -> str:
    """One pydantic error dict as a plain Chinese message (never pydantic's English)."""
    own = _own_text(err)
    if has_chinese(own):
        # The project's own words: a ValueError or assert in a validator, or a
        # PydanticCustomError, written in Chinese (pydantic's own messages never are).
        return own
    kind = str(err.get("type", ""))
    fixed = _FIXED.get(kind)
    if fixed is not None:
        return fixed
    render = _RENDERERS.get(kind)
    if render is not None:
        return render(err)
    return GENERIC
