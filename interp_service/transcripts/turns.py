"""Speakers' turns and sentences of a transcript's text.

A line starts a turn when it opens with a speaker label and a colon (full- or half-width,
spaces allowed around the label):

- a role: 问 答 Q A 讯问人 被讯问人 询问人 被询问人 记录人 书记员 翻译 译员 (and the other
  names in ROLE_LABELS);
- a name: 2-4 Han characters (张三, 王某, 欧阳明华), or a short Latin name (John, Li Ming:
  one or two words of letters, capitalised, at most 20 characters).

Names are guessed, so a candidate is refused when it is a record's field rather than a
person (时间：, 地点：, 联系电话：, 版权所有：, Tel:, http:), when it says who said
something rather than naming them (他说：, 我认为：, 张三表示：), or when the colon opens a
URL or a time (http://, 10:30). A clerk confirms each label's role anyway.

Lines without a label continue the previous turn (joined with a line break); lines before
the first label form a turn with speaker ""; blank lines are skipped.
"""

from __future__ import annotations

import re

from interp_service.transcripts.shapes import Turn
from interp_service.translation import sentences

__all__ = ["ROLE_LABELS", "speaker_label", "split_sentences", "split_turns"]


def _words(text: str) -> tuple[str, ...]:
    """The space-separated words of `text`."""
    return tuple(text.split())


ROLE_LABELS = _words(
    "问 答 Q A 讯问人 被讯问人 询问人 被询问人 记录人 书记员 翻译 译员 翻译人员 "
    "犯罪嫌疑人 嫌疑人 被害人 证人 被告人 辩护人 侦查员 检察官 当事人"
)
_ROLES = frozenset(ROLE_LABELS)
_HAN = "\u3400-\u9fff\uf900-\ufaff"


_LABEL = re.compile(
    rf"^\s*(?P<label>[{_HAN}]{{1,5}}|[A-Za-z][A-Za-z.\-]*(?: [A-Za-z][A-Za-z.\-]*)?)"
    r"\s*[:：](?!//)\s*"
)
# Fields of a record or a web page, written like a name and a colon.
_FIELDS = frozenset(
    _words(
        "时间 日期 地点 地址 住址 案由 案号 事由 标题 主题 内容 备注 附件 "
        "来源 作者 编辑 责任编辑 原标题 摘要 关键词 电话 联系电话 手机 邮箱 "
        "传真 邮编 网址 分享到 分享至 版权所有 版权声明 当前位置 您的位置 "
        "你的位置 上一篇 下一篇 上一页 下一页 发布时间 更新时间 浏览次数 阅读 "
        "点击 性别 年龄 民族 籍贯 学历 职业 职务 单位 工作单位 户籍 户籍地 "
        "住所 身份证 身份证号 出生日期 文化程度 政治面貌 注意 提示 说明 注 "
        "例如 比如 总之 结论 意见 结果 原因 理由 问题 答案 第一 第二 第三 "
        "其一 其二 一 二 三 四 五 六 七 八 九 十 标签 分类 评论 相关阅读 相关文章 "
        "推荐阅读 热门 搜索 导航 栏目 频道 图片 视频 摄影 记者 通讯员 供稿 审核 "
        "校对 责编 出处 原文 网友 广告 推广 免责声明"
    )
)
_FIELD_ENDINGS = _words(
    "时间 日期 地点 地址 电话 号码 位置 所有 声明 编号 热线 客服 微信 网址 邮箱 链接 关注 来源 编辑"
)
# Words that say who spoke rather than name them: 他说：, 张三表示：.
_SAYING = _words(
    "说 道 称 讲 问道 答道 表示 认为 指出 强调 回答 告诉 表明 承认 供述 陈述 介绍 反映 交代 "
    "提到 写道 解释"
)
_PRONOUNS = frozenset("我你他她它们咱这那谁")
_LATIN_FIELDS = frozenset(
    _words(
        "copyright tel fax email e-mail mail "
        "http https ftp url www web website note "
        "notes source date time re fw fwd "
        "subject from to cc address phone mobile "
        "qq wechat weixin isbn doi ps tip tips "
        "warning error title page chapter step "
        "example summary abstract keywords "
        "update updated posted author editor tags tag category categories "
        "share related comments comment reply views read more login register "
        "search home menu next previous prev back top print contact about "
        "privacy terms sitemap rss follow subscribe powered published via "
        "photo image video credit credits filed"
    )
)
_MAX_LATIN = 20


def _is_han(label: str) -> bool:
    return re.fullmatch(f"[{_HAN}]+", label) is not None


def _plausible_name(label: str) -> bool:
    if _is_han(label):
        return (
            2 <= len(label) <= 4
            and label not in _FIELDS
            and not label.endswith(_FIELD_ENDINGS + _SAYING)
            and not _PRONOUNS.intersection(label)
        )
    return (
        len(label) <= _MAX_LATIN
        and len(label) >= 2
        and label[0].isupper()
        and label.lower() not in _LATIN_FIELDS
    )


def speaker_label(line: str) -> tuple[str, str] | None:
    """(label, rest of the line) when `line` opens with a speaker label, else None."""
    match = _LABEL.match(line)
    if match is None:
        return None
    label = match.group("label")
    if label not in _ROLES and not _plausible_name(label):
        return None
    return label, line[match.end() :].strip()


def split_turns(text: str) -> list[Turn]:
    """The turns of `text` in order (see the module docstring); no times."""
    turns: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        found = speaker_label(line)
        if found is not None:
            label, rest = found
            turns.append((label, [rest] if rest else []))
            continue
        if not line.strip():
            continue
        if not turns:
            turns.append(("", []))
        turns[-1][1].append(line.strip())
    return [Turn(speaker, "\n".join(lines)) for speaker, lines in turns]


def split_sentences(text: str) -> list[str]:
    """Chinese sentences of `text`: ends after 。！？；… (and ! ? ;), closing quotes and
    brackets kept with their sentence, and at every line end; surrounding whitespace
    dropped. The translation pipeline's splitter with the Chinese rules."""
    return [span.text for span in sentences.split_sentences(text, "cmn")]
