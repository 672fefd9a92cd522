"""Chinese labels for stored codes, used by the templates."""

from __future__ import annotations

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


TERM_STATUS = {"preferred": "首选", "admitted": "许可", "deprecated": "不推荐", "forbidden": "禁用"}
VERIFICATION = {"unverified": "未核实", "approved": "已核实"}
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
