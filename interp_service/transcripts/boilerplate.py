"""Lines of a scraped web page that are not part of the transcript: navigation, share
buttons, copyright lines, advertising and spam.

`boilerplate_reason(line)` judges one line, already simplified (OpenCC t2s) and with
full-width letters and digits made ASCII, and answers the Chinese reason or None. The
rules look at the shape of the whole line, not at a word anywhere in it, so an answer
that mentions 微信 or 二维码 is not spam: clean-up also never asks about a line inside
the interview (see cleanup.py).
"""

from __future__ import annotations

import re

__all__ = [
    "ADVERTISING",
    "COPYRIGHT",
    "NAVIGATION",
    "SHARING",
    "boilerplate_reason",
]

NAVIGATION = "网页导航"
SHARING = "分享按钮"
COPYRIGHT = "版权声明"
ADVERTISING = "广告或垃圾信息"

MAX_LINE = 120
"""Longer lines are prose, never boilerplate."""


def _words(text: str) -> frozenset[str]:
    """The space-separated words of `text`."""
    return frozenset(text.split())


_SEPARATORS = re.compile(r"[\s|｜/／·•・>＞»›→,，、:：]+")
_DECORATION = " \t\u3000【】[]（）()<>《》«»↑↓←→▲△▼^|｜·•:：-—_=*#☞👉▶►"
_NAV_WORDS = _words(
    "首页 主页 网站首页 新闻 新闻中心 要闻 本地 国内 国际 社会 法治 政法 "
    "财经 体育 娱乐 科技 文化 教育 旅游 评论 专题 视频 图片 关于我们 "
    "联系我们 网站地图 登录 注册 帮助 更多 正文 设为首页 加入收藏 收藏本站 "
    "频道 栏目 列表 首页推荐 检察动态 工作动态 通知公告"
)
_NAV_ACTIONS = _words(
    "返回顶部 回到顶部 返回首页 返回列表 返回上一页 返回 打印本页 打印 "
    "关闭窗口 关闭 我要纠错 纠错 收藏 字号 大 中 小 默认 放大 缩小 "
    "打印此页"
)
_NAV_START = re.compile(r"^(上一篇|下一篇|上一页|下一页|上一条|下一条|上篇|下篇)")
_BREADCRUMB = re.compile(r"^(当前位置|您的位置|你的位置|您现在的位置|当前页面|所在位置)\s*[:：]")
_SHARE_TARGETS = _words(
    "微信 微信好友 朋友圈 微博 新浪微博 腾讯微博 QQ QQ空间 QQ好友 "
    "豆瓣 人人网 百度贴吧 复制链接 分享 收藏 点赞 打印 更多 "
    "facebook twitter"
)
_COPYRIGHT = re.compile(
    r"版权所有|版权声明|copyright|©|\(c\)\s*\d{4}|all rights reserved|icp备|icp证|"
    r"公网安备|未经(许可|授权|允许).{0,12}(转载|复制|使用)|转载请注明|侵权必究",
    re.IGNORECASE,
)
_AD_PHRASES = re.compile(
    r"(请|欢迎)?(加|添加)(我)?(微信|v信|vx|wx|客服|qq群)|微信号\s*[:：]|"
    r"点击(领取|查看|进入|这里|下载|咨询|了解)|免费(领取|咨询|试用|获取)|"
    r"(扫码|扫一扫|长按)(关注|识别|添加|领取|下载|加入|二维码)?|扫描二维码|"
    r"关注(微信)?公众号|更多精彩|限时优惠|招商加盟",
    re.IGNORECASE,
)
# Words of an advertisement; counted only next to a phone number.
_AD_WORDS = re.compile(r"咨询|热线|专业|办理|代办|贷款|免费|优惠|客服|加盟|招商|24小时|全国")
_PHONE = re.compile(r"(?<!\d)(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}|400-?\d{3}-?\d{4})(?!\d)")
_URL = re.compile(r"(https?://|www\.)\S+", re.IGNORECASE)
_URL_LEFTOVER = re.compile(r"[\s|｜,，、;；:：.。()（）<>【】\[\]]*")


def _items(line: str) -> list[str]:
    return [item.strip(_DECORATION) for item in _SEPARATORS.split(line) if item.strip(_DECORATION)]


def _navigation(line: str) -> bool:
    if _NAV_START.match(line) or _BREADCRUMB.match(line):
        return True
    items = _items(line)
    if not items:
        return False
    if all(item in _NAV_ACTIONS for item in items):
        return True
    if re.search(r"[，。？！；]", line) or any(len(item) > 6 for item in items):
        return False
    return len(items) >= 3 and sum(item in _NAV_WORDS for item in items) >= 2


def _sharing(line: str) -> bool:
    if line.startswith(("分享到", "分享至", "一键分享")):
        return True
    return _sharing_targets_only(line)


def _sharing_targets_only(line: str) -> bool:
    items = _items(line)
    return len(items) >= 2 and all(item.lower() in _SHARE_TARGETS for item in items)


def _advertising(line: str) -> bool:
    if _URL.search(line) and _URL_LEFTOVER.fullmatch(_URL.sub("", line)):
        return True  # nothing but links
    stripped = line.lstrip(_DECORATION)
    starts = _AD_PHRASES.match(stripped) is not None
    signals = len(_AD_PHRASES.findall(line)) + len(_PHONE.findall(line))
    signals += len(_AD_WORDS.findall(line)) if _PHONE.search(line) else 0
    signals += len(_URL.findall(line))
    return starts or signals >= 2


def boilerplate_reason(line: str) -> str | None:
    """The reason a line is web-page boilerplate (NAVIGATION, SHARING, COPYRIGHT,
    ADVERTISING), or None. `line` is simplified Chinese with ASCII letters and digits."""
    text = line.strip()
    if not text or len(text) > MAX_LINE:
        return None
    if _navigation(text):
        return NAVIGATION
    if _sharing(text):
        return SHARING
    if _COPYRIGHT.search(text):
        return COPYRIGHT
    if _advertising(text):
        return ADVERTISING
    return None
