"""Users read Chinese: validation messages on pages and in problem+json are plain Chinese
(never pydantic's English, never a regex or a command-line option), while the API keeps
the machine-readable field list."""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Literal

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import AwareDatetime, BaseModel, Field, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from interp_service.api.messages import BUILTIN_TYPES, GENERIC, has_chinese, message
from interp_service.cases.schemas import CaseCreate
from interp_service.web.forms import parse
from tests.conftest import Account, bearer, sign_in
from tests.training.conftest import AddEntries, add_entries, placeholder_pairs

__all__ = ["add_entries"]  # the training tests' fixture, used here too

# Pydantic's English: "String should …", "Input should …", "Value error, …", "Field required".
ENGLISH = re.compile(r"should|String|Input|Value error|Assertion failed|Field required")


def assert_chinese(text: str) -> None:
    assert has_chinese(text), text
    assert not ENGLISH.search(text), text


# --- the module -------------------------------------------------------------------------


class Sample(BaseModel):
    """Fields with the constraints the service's schemas use."""

    name: str = Field(min_length=1, max_length=5)
    code: str = Field(pattern=r"^[a-z]{3}$")
    password: str = Field(default="long enough", min_length=10)
    count: int = Field(default=1, ge=1, le=10)
    ratio: float = 0.5
    positive: int = Field(default=1, gt=0)
    flag: bool = False
    status: Literal["open", "suspended", "closed"] = "open"
    day: date = date(2026, 11, 2)
    when: AwareDatetime | None = None
    tags: list[str] = Field(default_factory=list, max_length=2)
    roles: list[str] = Field(default_factory=lambda: ["x"], min_length=1)

    @field_validator("ratio")
    @classmethod
    def _ratio(cls, v: float) -> float:
        if v > 1:
            raise ValueError("比例不能大于 1")
        return v


def errors_of(**data: Any) -> dict[str, str]:
    base: dict[str, Any] = {"name": "a", "code": "abc"}
    with pytest.raises(ValidationError) as caught:
        Sample.model_validate({**base, **data})
    return {str(e["loc"][0]): message(e) for e in caught.value.errors()}


@pytest.mark.parametrize(
    ("data", "field", "expected"),
    [
        ({"name": ""}, "name", "不能为空"),
        ({"password": "short"}, "password", "至少 10 个字符"),
        ({"name": "abcdefg"}, "name", "不能超过 5 个字符"),
        ({"code": "ABC"}, "code", "格式不正确"),
        ({"name": 5}, "name", "须为文字"),
        ({"count": "many"}, "count", "须为整数"),
        ({"count": 0}, "count", "不能小于 1"),
        ({"count": 11}, "count", "不能大于 10"),
        ({"positive": 0}, "positive", "须大于 0"),
        ({"ratio": "half"}, "ratio", "须为数字"),
        ({"ratio": 2}, "ratio", "比例不能大于 1"),
        ({"flag": "perhaps"}, "flag", "须为“是”或“否”（true 或 false）"),
        ({"status": "archived"}, "status", "须为以下之一：open、suspended、closed"),
        ({"day": "2026/11/02"}, "day", "日期格式不正确，应如 2026-11-02"),
        ({"when": "2026-11-02T09:30"}, "when", "须带时区，应如 2026-11-02T09:30+08:00"),
        ({"when": "tomorrow"}, "when", "日期时间格式不正确，应如 2026-11-02T09:30+08:00"),
        ({"tags": ["a", "b", "c"]}, "tags", "最多 2 项"),
        ({"roles": []}, "roles", "至少选择一项"),
    ],
)
def test_each_kind_of_error_reads_in_chinese(
    data: dict[str, Any], field: str, expected: str
) -> None:
    assert errors_of(**data)[field] == expected


def test_missing_and_extra_fields() -> None:
    class Closed(BaseModel, extra="forbid"):
        title: str

    with pytest.raises(ValidationError) as caught:
        Closed.model_validate({"colour": "red"})
    assert {str(e["loc"][0]): message(e) for e in caught.value.errors()} == {
        "title": "必填",
        "colour": "不允许的字段",
    }


def test_no_builtin_error_type_answers_in_english() -> None:
    for kind in sorted(BUILTIN_TYPES):
        err = {"type": kind, "msg": "Input should be something else", "ctx": {}}
        assert_chinese(message(err))


def test_the_projects_own_chinese_is_kept_and_english_is_not() -> None:
    own = {"type": "value_error", "msg": "Value error, 结案日期不能早于立案日期"}
    assert message(own) == "结案日期不能早于立案日期"
    assert message({"type": "assertion_error", "msg": "Assertion failed, 须填写"}) == "须填写"
    assert message({"type": "value_error", "msg": "Value error, naive datetime given"}) == GENERIC
    custom = PydanticCustomError("due_needed", "请选择期限规则或填写到期日")
    assert message({"type": custom.type, "msg": custom.message()}) == "请选择期限规则或填写到期日"
    assert message({"type": "made_up", "msg": "Something went wrong"}) == GENERIC
    assert message({}) == GENERIC


def test_regexes_and_limits_are_not_shown_as_code() -> None:
    shown = errors_of(code="ABC")["code"]
    assert "^" not in shown and "[a-z]" not in shown
    assert message({"type": "greater_than_equal", "ctx": {"ge": 1.0}}) == "不能小于 1"
    assert message({"type": "url_scheme", "ctx": {"expected_schemes": "'http' or 'https'"}}) == (
        "网址须以 http:// 或 https:// 开头"
    )


def test_form_parse_puts_chinese_beside_each_field() -> None:
    data, errors = parse(
        CaseCreate, {"case_number": "", "title": "案" * 201, "opened_on": "11/02/2026"}
    )
    assert data is None
    assert errors == {
        "case_number": "不能为空",
        "title": "不能超过 200 个字符",
        "opened_on": "日期格式不正确，应如 2026-11-02",
    }


# --- through the service ------------------------------------------------------------------


def test_api_validation_problem_is_chinese_with_its_fields(
    client: TestClient, make_user: Any
) -> None:
    lead: Account = make_user("lead", "prosecutor")
    body = {
        "case_number": "A" * 65,
        "title": "",
        "status": "archived",
        "opened_on": "2026/11/02",
        "colour": "red",
    }
    r = client.post("/api/v1/cases", json=body, headers=bearer(lead))
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    problem = r.json()
    assert problem["title"] == "输入有误"
    assert_chinese(problem["detail"])
    by_field = {e["field"]: e["message"] for e in problem["errors"]}
    assert by_field == {
        "case_number": "不能超过 64 个字符",
        "title": "不能为空",
        "status": "须为以下之一：open、suspended、closed",
        "opened_on": "日期格式不正确，应如 2026-11-02",
        "colour": "不允许的字段",
    }
    assert "title：不能为空" in problem["detail"]


def test_api_broken_json_is_said_in_chinese(client: TestClient, make_user: Any) -> None:
    lead: Account = make_user("lead", "prosecutor")
    r = client.post(
        "/api/v1/cases",
        content=b'{"title": ',
        headers={**bearer(lead), "Content-Type": "application/json"},
    )
    assert r.status_code == 422
    problem = r.json()
    assert problem["errors"] == [{"field": "body", "message": "不是有效的 JSON"}]
    assert problem["detail"] == "不是有效的 JSON"


def test_new_case_page_shows_chinese_beside_the_fields(
    client: TestClient, app: FastAPI, make_user: Any
) -> None:
    lead: Account = make_user("lead", "prosecutor")
    csrf = sign_in(client, app, lead)
    page = client.post(
        "/cases/new",
        data={
            "csrf_token": csrf,
            "case_number": "",
            "title": "吴某某盗窃案",
            "opened_on": "2026/11/02",
            "status": "open",
        },
    )
    assert page.status_code == 422
    for field, text in (
        ("case_number", "不能为空"),
        ("opened_on", "日期格式不正确，应如 2026-11-02"),
    ):
        assert f'data-field="{field}">{text}</span>' in page.text
    assert not ENGLISH.search(page.text.split("<main", 1)[-1])


def test_user_form_pattern_error_is_plain_chinese(
    client: TestClient, app: FastAPI, admin: Account
) -> None:
    csrf = sign_in(client, app, admin)
    page = client.post(
        "/admin/users",
        data={
            "csrf_token": csrf,
            "username": "吴 某",
            "display_name": "吴某",
            "password": "correct-horse-battery",
            "roles": "clerk",
        },
    )
    assert page.status_code == 422
    assert 'data-field="username">格式不正确</span>' in page.text
    assert "A-Za-z" not in page.text and "should match pattern" not in page.text


def test_training_refusal_is_chinese_without_command_options(
    client: TestClient, app: FastAPI, admin: Account, add_entries: AddEntries
) -> None:
    add_entries(placeholder_pairs()[:20])
    body = {"source_language": "cmn", "target_language": "mmr", "size": "tiny", "epochs": 3}
    r = client.post("/api/v1/models/train", json=body, headers=bearer(admin))
    assert r.status_code == 422
    problem = r.json()
    assert problem["title"] == "训练数据不足"
    assert_chinese(problem["detail"])
    assert "--" not in problem["detail"] and "min-pairs" not in problem["detail"]
    assert "只剩 20 条" in problem["detail"] and "200 条" in problem["detail"]
    assert problem["min_pairs"] == 200
    csrf = sign_in(client, app, admin)
    page = client.post(
        "/admin/models/train",
        data={"csrf_token": csrf, "source_language": "cmn", "target_language": "mmr"},
    )
    assert page.status_code == 422
    [shown] = re.findall(r'data-testid="train-error">([^<]*)<', page.text)
    assert_chinese(shown)
    assert "min-pairs" not in shown


def test_same_language_training_request_is_refused_in_chinese(
    client: TestClient, admin: Account
) -> None:
    body = {"source_language": "cmn", "target_language": "cmn"}
    r = client.post("/api/v1/models/train", json=body, headers=bearer(admin))
    assert r.status_code == 422
    assert r.json()["detail"] == "源语言和目标语言不能相同"
