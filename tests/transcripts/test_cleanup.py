"""Clean-up of transcript text: the mangled web article, restoring lines, conservatism."""

from __future__ import annotations

from interp_service.transcripts.cleanup import clean
from interp_service.transcripts.shapes import Change

ARTICLE = (
    "首頁 | 新聞 | 法治 | 關於我們\r\n"  # 1
    "當前位置：首頁 > 新聞 > 正文\r\n"  # 2
    "分享到：微信 微博 QQ空間\r\n"  # 3
    "\r\n"  # 4
    "苗鄉村民糾紛\u200b調解記錄\r\n"  # 5
    "發佈時間：2024年3月1日\r\n"  # 6
    "\r\n"  # 7
    "當(dāng)前，兩(liǎng)家人在村委會（苗語）調解，譯員在場(zài chǎng)。\r\n"  # 8
    "問：你叫什麼名字？\r\n"  # 9
    "答：zz-0001\r\n"  # 10
    "問：當（dāng）時你在哪裡？案號是ＡＢ１２３。\r\n"  # 11
    "答：我在家裡，沒(méi)有出門。\r\n"  # 12
    "我妻子可以作證，她會說苗語（zz-0002）。\r\n"  # 13
    "\r\n"  # 14
    "上一篇：舊案回顧\r\n"  # 15
    "Copyright © 2024 某某網 版權所有 湘ICP備12345678號\r\n"  # 16
    "加微信領取免費法律資料\r\n"  # 17
    "咨詢熱線：400-123-4567\r\n"  # 18
    "https://example.com/ad\r\n"  # 19
    "Powered by a content management system for news sites\r\n"  # 20
)

CLEANED = (
    "苗乡村民纠纷调解记录\n"
    "发布时间：2024年3月1日\n"
    "\n"
    "当前，两家人在村委会（苗语）调解，译员在场。\n"
    "问：你叫什么名字？\n"
    "答：zz-0001\n"
    "问：当时你在哪里？案号是AB123。\n"
    "答：我在家里，没有出门。\n"
    "我妻子可以作证，她会说苗语（zz-0002）。"
)


def _kinds(changes: list[Change]) -> list[tuple[int, str]]:
    return [(change.line, change.kind) for change in changes]


def test_mangled_web_article() -> None:
    cleaned = clean(ARTICLE, to_simplified=True)
    assert cleaned.text == CLEANED
    assert _kinds(cleaned.changes) == [
        (1, "boilerplate"),
        (2, "boilerplate"),
        (3, "boilerplate"),
        (4, "blank"),
        (5, "zero_width"),
        (5, "traditional"),
        (6, "traditional"),
        (8, "pinyin"),
        (8, "traditional"),
        (9, "traditional"),
        (11, "width"),
        (11, "pinyin"),
        (11, "traditional"),
        (12, "pinyin"),
        (12, "traditional"),
        (13, "traditional"),
        (14, "blank"),
        (15, "boilerplate"),
        (16, "boilerplate"),
        (17, "boilerplate"),
        (18, "boilerplate"),
        (19, "boilerplate"),
        (20, "boilerplate"),
    ]
    reasons = {c.line: c.reason for c in cleaned.changes if c.kind == "boilerplate"}
    assert reasons == {
        1: "网页导航",
        2: "网页导航",
        3: "分享按钮",
        15: "网页导航",
        16: "版权声明",
        17: "广告或垃圾信息",
        18: "广告或垃圾信息",
        19: "广告或垃圾信息",
        20: "不是中文或苗语（识别为英语）",
    }


def test_each_change_shows_the_line_before_and_after_its_step() -> None:
    changes = [c for c in clean(ARTICLE, to_simplified=True).changes if c.line == 11]
    assert changes == [
        Change(
            "width",
            11,
            "問：當（dāng）時你在哪裡？案號是ＡＢ１２３。",
            "問：當（dāng）時你在哪裡？案號是AB123。",
            "全角字母或数字",
        ),
        Change(
            "pinyin",
            11,
            "問：當（dāng）時你在哪裡？案號是AB123。",
            "問：當時你在哪裡？案號是AB123。",
            "行内拼音注音",
        ),
        Change(
            "traditional",
            11,
            "問：當時你在哪裡？案號是AB123。",
            "问：当时你在哪里？案号是AB123。",
            "繁体字转为简体",
        ),
    ]
    removed = next(c for c in clean(ARTICLE).changes if c.line == 16)
    assert removed == Change(
        "boilerplate",
        16,
        "Copyright © 2024 某某網 版權所有 湘ICP備12345678號",
        "",
        "版权声明",
    )


def test_keep_lines_restores_a_removed_line() -> None:
    cleaned = clean(ARTICLE, to_simplified=True, keep_lines=frozenset({16}))
    assert cleaned.text == CLEANED + "\n\nCopyright © 2024 某某网 版权所有 湘ICP备12345678号"
    assert (16, "boilerplate") not in _kinds(cleaned.changes)
    assert (16, "traditional") in _kinds(cleaned.changes)
    assert (14, "blank") not in _kinds(cleaned.changes)


def test_traditional_kept_unless_asked_but_boilerplate_still_found() -> None:
    cleaned = clean(ARTICLE)
    lines = cleaned.text.split("\n")
    assert lines[0] == "苗鄉村民糾紛調解記錄"
    assert lines[4] == "問：你叫什麼名字？"
    assert "traditional" not in {c.kind for c in cleaned.changes}
    assert [c.line for c in cleaned.changes if c.kind == "boilerplate"] == [
        1,
        2,
        3,
        15,
        16,
        17,
        18,
        19,
        20,
    ]


def test_lines_inside_the_interview_are_never_removed() -> None:
    text = (
        "问：他让你做什么？\n"
        "加微信领取免费资料\n"
        "Click here to subscribe to our newsletter today\n"
        "答：他让我加微信。\n"
        "分享到：微信 微博\n"
        "问：还有呢？\n"
    )
    cleaned = clean(text)
    assert cleaned.text == text.rstrip("\n")
    assert cleaned.changes == []


def test_a_field_that_looks_like_a_name_does_not_start_the_interview() -> None:
    text = "咨询热线：400-123-4567\n版权所有：某某网\n问：你叫什么名字？\n答：zz-0001\n"
    cleaned = clean(text)
    assert cleaned.text == "问：你叫什么名字？\n答：zz-0001"
    assert [(c.line, c.reason) for c in cleaned.changes] == [
        (1, "广告或垃圾信息"),
        (2, "版权声明"),
    ]


def test_prose_mentioning_ad_words_is_kept() -> None:
    text = (
        "被害人称，对方让其扫码支付了五千元。\n他后来又让被害人加微信。\n联系电话：0743-1234567\n"
    )
    cleaned = clean(text)
    assert cleaned.text == text.rstrip("\n")
    assert cleaned.changes == []


def test_only_pinyin_parentheticals_are_removed() -> None:
    text = "在苗语（Miao）里（苗语）说(ma)，當(dang1)前(2024)，记录(jì lù)。"
    cleaned = clean(text)
    assert cleaned.text == "在苗语（Miao）里（苗语）说(ma)，當前(2024)，记录。"
    assert _kinds(cleaned.changes) == [(1, "pinyin")]


def test_full_width_punctuation_stays_and_zero_width_characters_go() -> None:
    text = "问\ufeff：取\u200b保\u200c候\u200d审\u2060，是吗？！（一）\n"
    cleaned = clean(text)
    assert cleaned.text == "问：取保候审，是吗？！（一）"
    assert _kinds(cleaned.changes) == [(1, "zero_width")]


def test_line_ends_are_normalised_and_blank_runs_collapse() -> None:
    cleaned = clean("第一行\r第二行\r\n\r\n\r\n第三行\u2028第四行\n\n")
    assert cleaned.text == "第一行\n第二行\n\n第三行\n第四行"
    # Lines: 第一行, 第二行, "", "", 第三行, 第四行, "" (the last line end starts none).
    assert _kinds(cleaned.changes) == [(4, "blank"), (7, "blank")]
