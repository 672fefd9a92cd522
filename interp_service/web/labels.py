"""Chinese labels for stored codes: the one place for them. The templates read them as `L`;
the static scripts get `for_scripts()` as JSON in a `data-labels` attribute (no inline
scripts under the Content-Security-Policy)."""

from __future__ import annotations

from typing import Protocol

from interp_service.users.competence import is_legal_review

ROLES = {"prosecutor": "检察官", "clerk": "书记员", "admin": "管理员"}
CASE_STATUS = {"open": "办理中", "suspended": "中止", "closed": "已结案"}
PARTY_ROLES = {
    "suspect": "犯罪嫌疑人",
    "defendant": "被告人",
    "victim": "被害人",
    "witness": "证人",
    "other": "其他",
}
CASE_ROLES = {
    "lead_prosecutor": "承办检察官",
    "assistant": "检察官助理",
    "clerk": "书记员",
    "interpreter": "翻译人员",
}
ASSIGNMENT_STATES = {"active": "在岗", "recused": "已回避", "ended": "已结束"}
INTERVIEW_STATUS = {
    "planned": "已安排",
    "in_progress": "进行中",
    "completed": "已完成",
    "cancelled": "已取消",
}
LANGUAGES = {
    "mmr": "湘西苗语（西部）",
    "muq": "湘西苗语（东部）",
    "cmn": "汉语普通话",
    "hea": "黔东苗语（北部）",
    "hms": "黔东苗语（南部）",
    "blu": "川黔滇苗语",
    "eng": "英语",
}
LEVELS = {"native": "母语", "fluent": "熟练", "working": "工作水平"}
UNITS = {"day": "日", "month": "个月"}


def language(code: str) -> str:
    name = LANGUAGES.get(code)
    return f"{name}（{code}）" if name else code


# A term's status is which word to choose (ISO 704 / TBX usage status), not its quality:
# pages show it as a neutral label (class `choice`), apart from verification (已核实).
TERM_STATUS = {
    "preferred": "首选用词",
    "admitted": "可用",
    "deprecated": "不推荐",
    "forbidden": "禁用",
}
VERIFICATION = {"unverified": "未核实", "approved": "已核实"}
# Subject fields of the shipped glossaries (glossaries/README.md); others show as stored.
SUBJECT_FIELDS = {
    "procedure": "诉讼程序",
    "offences": "罪名",
    "rights": "诉讼权利",
    "evidence": "证据",
    "roles": "人员与机关",
    "coercive-measures": "强制措施",
    "plea-leniency": "认罪认罚",
    "interpretation": "翻译与语言",
    "juveniles": "未成年人",
    "lexicon": "基本词汇",
}
# Sources written as a code word in the shipped files; a real reference shows as written.
SOURCES = {"project draft": "项目草稿"}
REVISION_ACTIONS = {
    "create": "新建",
    "update": "修改",
    "verify": "核实",
    "import": "导入",
    "revert": "撤销",
}
OBJECT_TYPES = {"concept": "概念", "term": "术语"}
LEGAL_REVIEW = "法律审核"
# Fields of concepts and terms as the revision list names them, and their values' labels.
FIELDS = {
    "external_id": "编号",
    "subject_field": "领域",
    "definition": "释义",
    "citations": "法律依据",
    "note": "备注",
    "verification": "核实",
    "language": "语言",
    "variety": "方言/土语",
    "text": "术语",
    "part_of_speech": "词性",
    "status": "使用状态",
    "usage_note": "用法说明",
    "source": "来源",
    "ipa": "国际音标",
    "orthography_issues": "正字法问题",
}


def field_value(name: str, value: str) -> str:
    """A stored field value as shown: its Chinese label when it is a code."""
    if name == "subject_field":
        return subject_field(value)
    if name == "source":
        return source(value)
    if name == "language":
        return language(value)
    table = {"status": TERM_STATUS, "verification": VERIFICATION, "part_of_speech": POS}
    return table.get(name, {}).get(value, value)


def subject_field(code: str) -> str:
    return SUBJECT_FIELDS.get(code.strip().casefold(), code) if code.strip() else "—"


def source(text: str) -> str:
    return SOURCES.get(text.strip().casefold(), text)


class CompetenceLike(Protocol):
    language: str
    variety: str
    level: str


def competence(c: CompetenceLike) -> str:
    """A user's competence as shown: 法律审核, or language·variety（level）."""
    if is_legal_review(c.language, c.variety):
        return LEGAL_REVIEW
    variety = f"·{c.variety}" if c.variety else ""
    return f"{c.language}{variety}（{LEVELS.get(c.level, c.level)}）"


HOW = {
    "exact": "完全匹配",
    "prefix": "前缀",
    "pinyin": "拼音",
    "tone-insensitive": "忽略声调",
    "variant": "异体拼写",
    "fuzzy": "近似",
}
POS = {
    "": "—",
    "noun": "名词",
    "verb": "动词",
    "adjective": "形容词",
    "adverb": "副词",
    "phrase": "短语",
    "other": "其他",
}
PROPOSAL_KIND = {"new_term": "新术语", "change_term": "修改术语", "new_concept": "新概念"}
PROPOSAL_STATE = {"pending": "待审核", "approved": "已批准", "rejected": "已驳回"}
JOB_STATE = {
    "queued": "排队中",
    "running": "进行中",
    "succeeded": "已完成",
    "failed": "失败",
    "cancelled": "已取消",
}
MODEL_SIZE = {"tiny": "微型（仅供试训）", "small": "小型", "base": "标准"}
# Transcripts (transcripts/orm.py, transcripts/shapes.py): how a segment's text or its
# suggestion was produced, speaker roles, states, file kinds and clean-up changes.
TRANSCRIPT_PROVENANCE = {
    "memory": "翻译记忆",
    "model": "机器翻译",
    "gloss": "逐词对照",
    "human": "人工",
    "speech": "语音识别",
    "none": "无",
}
TRANSCRIPT_ROLES = {
    "interviewer": "讯问人",
    "party": "当事人",
    "interpreter": "译员",
    "other": "其他",
    "unknown": "未确认",
}
TRANSCRIPT_STATES = {
    "queued": "排队中",
    "processing": "处理中",
    "ready": "已完成",
    "failed": "失败",
    "cancelled": "已取消",
}
TRANSCRIPT_KINDS = {
    "text": "纯文本",
    "docx": "Word 文档",
    "srt": "SRT 字幕",
    "vtt": "WebVTT 字幕",
    "audio": "录音",
}
CLEANUP_KINDS = {
    "encoding": "编码修复",
    "traditional": "繁体转简体",
    "pinyin": "删除拼音注音",
    "width": "全角转半角",
    "zero_width": "删除零宽字符",
    "boilerplate": "删除网页杂项",
    "blank": "删除空行",
}


def for_scripts() -> dict[str, dict[str, str]]:
    """The labels the static scripts need, to be put in a page as JSON (`data-labels`)."""
    return {
        "languages": LANGUAGES,
        "status": TERM_STATUS,
        "verification": VERIFICATION,
        "pos": POS,
        "subject": SUBJECT_FIELDS,
        "sources": SOURCES,
        "how": HOW,
    }
