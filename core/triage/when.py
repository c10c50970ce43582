"""Resolve relative time expressions ("昨晚8点", "2 hours ago") against `now`."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.triage.prefilter import compile_cues

_UTC = ZoneInfo("UTC")
_ZH_DIGITS = {
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
    "半": 0,
}
_EN_NUMBERS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "ten": 10,
    "few": 3,
    "couple of": 2,
    "half an": 0,
}

_NUM = r"(\d{1,3}|[一二两三四五六七八九十]{1,3})"
_JUST_NOW = compile_cues(
    r"刚才|刚刚|刚刚才|just now|right now|a moment ago|moments ago|just happened"
)
_AGO_ZH = compile_cues(_NUM + r"\s*(个)?\s*(分钟|分|小时|钟头|天)(之)?前")
# "已经5天了", "都两个小时了": how long it has been going on, so it began then.
_SINCE_ZH = compile_cues(
    r"(已经|都|有|快)\s*" + _NUM + r"\s*(个)?\s*(分钟|小时|钟头|天|星期|礼拜|周)(多)?\s*了"
    r"|" + _NUM + r"\s*(个)?\s*(分钟|小时|钟头|天|星期|礼拜|周)(多)?\s*了"
)
_HALF_HOUR_ZH = compile_cues(r"半(个)?小时(之)?前")
_AGO_EN = compile_cues(
    r"(\d{1,3}|an?|one|two|three|four|five|six|ten|few|couple of|half an)\s*"
    r"(min(ute)?s?|hours?|hrs?|days?)\s+ago"
)
_DAY_ZH = compile_cues(
    r"(大前天|前天|昨天|昨日|昨晚|昨夜|今天|今日|今早|今晚|今儿|早上|上午|中午|下午|傍晚|晚上|凌晨|半夜|夜里)"
)
# "昨晚大概十点多": a hedge may sit between the day or period and the hour.
_HEDGE = r"(?:大概|大约|差不多|估计|应该是|约莫|约|快)?\s*"
_CLOCK_ZH = compile_cues(
    r"(大前天|前天|昨天|昨日|昨晚|昨夜|今天|今日|今早|今晚)?\s*"
    + _HEDGE
    + r"(早上|上午|中午|下午|傍晚|晚上|凌晨|半夜|夜里)?\s*"
    + _HEDGE
    + _NUM
    + r"\s*[点點時时:：]\s*(半|(\d{1,2})\s*分?)?"
)
_CLOCK_MARK = compile_cues(r"[点點時时:：]")
_CLOCK_EN = compile_cues(
    r"(yesterday|today|tonight|last night|this morning|this afternoon|this evening)?"
    r"[\s,]*(?:around|about|at|~)?\s*(\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)"
)
_DAY_EN = compile_cues(
    r"yesterday|last night|this morning|this afternoon|this evening|tonight|today"
)
_ISO = compile_cues(r"(20\d\d)[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:\s*(\d{1,2})[:：点](\d{2})?)?")

_EVENING = frozenset({"下午", "傍晚", "晚上", "今晚", "昨晚", "昨夜", "半夜", "夜里"})
_DAY_OFFSET = {
    "大前天": -3,
    "前天": -2,
    "昨天": -1,
    "昨日": -1,
    "昨晚": -1,
    "昨夜": -1,
    "今天": 0,
    "今日": 0,
    "今早": 0,
    "今晚": 0,
    "今儿": 0,
    "yesterday": -1,
    "last night": -1,
    "today": 0,
    "tonight": 0,
    "this morning": 0,
    "this afternoon": 0,
    "this evening": 0,
}
# A day word without a clock time still narrows the time; use a typical hour.
_DEFAULT_HOUR = {
    "早上": 8,
    "上午": 10,
    "今早": 8,
    "中午": 12,
    "下午": 15,
    "傍晚": 18,
    "晚上": 20,
    "今晚": 20,
    "昨晚": 20,
    "昨夜": 23,
    "凌晨": 3,
    "半夜": 1,
    "夜里": 23,
    "last night": 20,
    "this morning": 9,
    "this afternoon": 15,
    "this evening": 20,
    "tonight": 20,
}


def _zh_number(token: str) -> int | None:
    if token.isdigit():
        return int(token)
    if token == "十":
        return 10
    if token.startswith("十"):
        return 10 + _ZH_DIGITS.get(token[1:], 0)
    if "十" in token:
        tens, _, ones = token.partition("十")
        return _ZH_DIGITS.get(tens, 0) * 10 + (_ZH_DIGITS.get(ones, 0) if ones else 0)
    if len(token) == 1 and token in _ZH_DIGITS:
        return _ZH_DIGITS[token]
    return None


def _at(local_now: datetime, day_offset: int, hour: int, minute: int) -> datetime:
    day: date = local_now.date() + timedelta(days=day_offset)
    if hour >= 24:
        day += timedelta(days=1)
        hour -= 24
    return datetime.combine(day, time(hour, minute), tzinfo=local_now.tzinfo).astimezone(_UTC)


def _relative(text: str, now: datetime) -> datetime | None:
    if (m := _HALF_HOUR_ZH.search(text)) is not None:
        return now - timedelta(minutes=30)
    if (m := _AGO_ZH.search(text)) is not None:
        n = _zh_number(m.group(1))
        if n is not None:
            unit = m.group(3)
            if unit in ("分钟", "分"):
                return now - timedelta(minutes=n)
            if unit in ("小时", "钟头"):
                return now - timedelta(hours=n)
            return now - timedelta(days=n)
    if (m := _AGO_EN.search(text)) is not None:
        raw = m.group(1)
        unit = m.group(2)
        if raw == "half an":
            return now - timedelta(minutes=30)
        n = int(raw) if raw.isdigit() else _EN_NUMBERS[raw]
        if unit.startswith("m"):
            return now - timedelta(minutes=n)
        if unit.startswith("h"):
            return now - timedelta(hours=n)
        return now - timedelta(days=n)
    if _JUST_NOW.search(text):
        return now
    return _since(text, now)


_UNIT = {
    "分钟": timedelta(minutes=1),
    "小时": timedelta(hours=1),
    "钟头": timedelta(hours=1),
    "天": timedelta(days=1),
    "星期": timedelta(weeks=1),
    "礼拜": timedelta(weeks=1),
    "周": timedelta(weeks=1),
}


def _since(text: str, now: datetime) -> datetime | None:
    m = _SINCE_ZH.search(text)
    if m is None:
        return None
    # The two alternatives put the number and unit in different groups.
    number, unit = (m.group(2), m.group(4)) if m.group(1) else (m.group(6), m.group(8))
    n = _zh_number(number)
    return None if n is None else now - n * _UNIT[unit]


def _clock_zh(text: str, local_now: datetime) -> datetime | None:
    if _CLOCK_MARK.search(text) is None:
        return None  # the pattern's optional lead words make a full scan costly
    for m in _CLOCK_ZH.finditer(text):
        day_word, period, num, minute_part, minute_digits = m.groups()
        hour = _zh_number(num)
        if hour is None or hour > 24 or (day_word is None and period is None and not m.group(0)):
            continue
        minute = 30 if minute_part == "半" else int(minute_digits) if minute_digits else 0
        if minute > 59:
            continue
        evening = period in _EVENING or (period is None and day_word in _EVENING)
        if (evening and hour < 12 and not (period == "半夜" and hour < 5)) or (
            period == "中午" and hour < 5
        ):
            hour += 12
        elif evening and hour == 12:
            hour = 24
        offset = _DAY_OFFSET.get(day_word or "", 0)
        result = _at(local_now, offset, hour, minute)
        # A bare clock time in the future most likely meant the previous day.
        if day_word is None and result > local_now.astimezone(_UTC):
            result -= timedelta(days=1)
        return result
    return None


def _clock_en(text: str, local_now: datetime) -> datetime | None:
    if "m" not in text:
        return None  # every meridiem ("am", "p.m.") has one; most Chinese text has none
    m = _CLOCK_EN.search(text)
    if m is None:
        return None
    day_word, hour_s, minute_s, meridiem = m.groups()
    if day_word is None:
        # The day word may come after the time: "9pm yesterday".
        after = _DAY_EN.search(text, m.end())
        day_word = after.group(0) if after else None
    hour, minute = int(hour_s), int(minute_s or 0)
    if hour > 12 or minute > 59:
        return None
    if meridiem.startswith("p") and hour < 12:
        hour += 12
    elif meridiem.startswith("a") and hour == 12:
        hour = 0
    offset = _DAY_OFFSET.get(day_word or "", 0)
    result = _at(local_now, offset, hour, minute)
    if day_word is None and result > local_now.astimezone(_UTC):
        result -= timedelta(days=1)
    return result


def _iso(text: str, tz: ZoneInfo) -> datetime | None:
    m = _ISO.search(text)
    if m is None:
        return None
    year, month, day, hour, minute = m.groups()
    try:
        local = datetime(
            int(year), int(month), int(day), int(hour or 12), int(minute or 0), tzinfo=tz
        )
    except ValueError:
        return None
    return local.astimezone(_UTC)


def _day_only(text: str, local_now: datetime) -> datetime | None:
    words = [m.group(0) for m in _DAY_ZH.finditer(text)]
    if not words:
        m = _DAY_EN.search(text)
        words = [m.group(0)] if m else []
    if not words:
        return None
    # "今天早上", "昨天晚上": the day from the first word, the hour from a period after it.
    offset = next((_DAY_OFFSET[w] for w in words if w in _DAY_OFFSET), 0)
    hour_word = next((w for w in words if w in _DEFAULT_HOUR), None)
    if hour_word is None:
        if words[0] in ("今天", "今日", "今儿", "today"):
            return None  # "today" alone adds nothing over the message timestamp
        hour_word = words[0]
    hour = _DEFAULT_HOUR.get(hour_word, 12)
    result = _at(local_now, offset, hour, 0)
    return min(result, local_now.astimezone(_UTC))


def resolve_time(text: str, now: datetime, tz: ZoneInfo) -> datetime | None:
    """The moment the user says the problem happened, as aware UTC, or None.

    `text` is NFKC-normalised and lower-cased; `now` is aware.
    """
    now = now.astimezone(_UTC)
    local_now = now.astimezone(tz)
    # In order of precedence; the first that finds a moment wins.
    readers = (
        lambda: _relative(text, now),
        lambda: _iso(text, tz),
        lambda: _clock_en(text, local_now),
        lambda: _clock_zh(text, local_now),
        lambda: _day_only(text, local_now),
    )
    for read in readers:
        found = read()
        if found is not None:
            return found
    return None
