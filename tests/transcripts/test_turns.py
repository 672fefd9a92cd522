"""Speaker turns and Chinese sentences of a transcript's text."""

from __future__ import annotations

import pytest

from interp_service.transcripts.shapes import Turn
from interp_service.transcripts.turns import speaker_label, split_sentences, split_turns


def test_record_roles_names_and_continuation_lines() -> None:
    text = (
        "讯问笔录（草稿）\n"
        "讯问人：王某\n"
        "记录人：李某\n"
        "被讯问人：zz-0001\n"
        "翻译：张某\n"
        "\n"
        "问：你叫什么名字？\n"
        "答 ： zz-0002\n"
        "他停了一下，又说了一句。\n"
        "译员：他说他叫 zz-0002。\n"
        "Q: Where were you?\n"
        "A:At home.\n"
        "欧阳明华：我可以作证。\n"
        "John: I saw him.\n"
        "询问人:还有吗？\n"
        "答：\n"
    )
    assert split_turns(text) == [
        Turn("", "讯问笔录（草稿）"),
        Turn("讯问人", "王某"),
        Turn("记录人", "李某"),
        Turn("被讯问人", "zz-0001"),
        Turn("翻译", "张某"),
        Turn("问", "你叫什么名字？"),
        Turn("答", "zz-0002\n他停了一下，又说了一句。"),
        Turn("译员", "他说他叫 zz-0002。"),
        Turn("Q", "Where were you?"),
        Turn("A", "At home."),
        Turn("欧阳明华", "我可以作证。"),
        Turn("John", "I saw him."),
        Turn("询问人", "还有吗？"),
        Turn("答", ""),
    ]


@pytest.mark.parametrize(
    "line",
    [
        "时间：2024年3月1日上午9时",
        "地点：某某县人民检察院",
        "他说：我不知道。",
        "张三表示：同意调解。",
        "我认为：这是误会。",
        "联系电话：0743-1234567",
        "http://example.com/a",
        "10:30 开始讯问",
        "Tel: 0743-1234567",
        "这一段话太长了不是名字：后面",
    ],
)
def test_lines_that_are_not_speaker_labels(line: str) -> None:
    assert speaker_label(line) is None


def test_lines_without_labels_continue_the_previous_turn() -> None:
    text = "问：你当时在哪里？\n时间：大约晚上八点\n他说：在家。\n"
    assert split_turns(text) == [
        Turn("问", "你当时在哪里？\n时间：大约晚上八点\n他说：在家。"),
    ]


def test_chinese_sentences_and_line_ends() -> None:
    text = "你叫什么名字？我叫王某。“你去了吗？”他问；我没去……\n第二行没有句号\n  \n好！"
    assert split_sentences(text) == [
        "你叫什么名字？",
        "我叫王某。",
        "“你去了吗？”",
        "他问；",
        "我没去……",
        "第二行没有句号",
        "好！",
    ]
