"""The catalogs are complete: every message in every language, same placeholders, and every
message id the code uses exists."""

from __future__ import annotations

import datetime as dt
import re
import string
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.errors import ErrorCode
from bot.i18n import LANGUAGES, Translator, catalogs, language_from_telegram, language_named

ROOT = Path(__file__).resolve().parents[2]
KEY_LITERAL = re.compile(r"""\bt\(\s*["']([a-z_]+(?:\.[a-z0-9_]+)+)["']""")


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _forms(text: str | tuple[str, ...]) -> tuple[str, ...]:
    return text if isinstance(text, tuple) else (text,)


def test_every_language_has_every_message_with_the_same_placeholders() -> None:
    tables = {language: catalog.messages for language, catalog in catalogs().items()}
    keys = set().union(*(table.keys() for table in tables.values()))
    for language in LANGUAGES:
        missing = sorted(keys - tables[language].keys())
        assert not missing, f"{language} lacks {missing}"
        empty = sorted(
            key
            for key, text in tables[language].items()
            if not all(form.strip() for form in _forms(text))
        )
        assert not empty, f"{language} has empty {empty}"
    for key in keys:
        plural = isinstance(tables["zh_Hans"][key], tuple)
        reference = _fields(_forms(tables["zh_Hans"][key])[0])
        for language in LANGUAGES:
            text = tables[language][key]
            assert isinstance(text, tuple) == plural, (language, key, "plural in every language")
            for form in _forms(text):
                assert _fields(form) == reference, (language, key)
            if plural:
                assert "count" in reference, (key, "a plural message shows {count}")


def test_a_plural_message_takes_the_form_of_its_count() -> None:
    en = Translator("en", ZoneInfo("Asia/Shanghai"))
    zh = Translator("zh_Hans", ZoneInfo("Asia/Shanghai"))
    assert en("hours.shifts", count=1) == "1 shift"
    assert en("hours.shifts", count=2) == "2 shifts"
    assert en("hours.shifts", count=0) == "0 shifts"
    assert zh("hours.shifts", count=1) == zh("hours.shifts", count=1) == "1 班"
    with pytest.raises(KeyError, match="needs a count"):
        en("hours.shifts")


# An English number followed by one of these nouns needs the message's plural forms.
COUNTED_NOUN = re.compile(
    r"\{(\w+)(?::[^}]*)?\} (?:\w+ )?(?:shift|seat|person|people|member|volunteer|day|hour|minute"
    r"|row|problem|no-show)s?\b"
)


def test_a_message_showing_a_count_has_plural_forms() -> None:
    for language, catalog in catalogs().items():
        for key, text in catalog.messages.items():
            for form in _forms(text):
                if "count" in _fields(form):
                    assert isinstance(text, tuple), (language, key, "shows {count}: plural")
    for key, text in catalogs()["en"].messages.items():
        for form in _forms(text):
            for name in COUNTED_NOUN.findall(form):
                assert name == "count" and isinstance(text, tuple), (key, form)


def test_a_count_shown_with_decimals_is_plural() -> None:
    en = Translator("en", ZoneInfo("Asia/Shanghai"))
    zh = Translator("zh_Hans", ZoneInfo("Asia/Shanghai"))
    assert en("report.count.hours", count="1") == "1 hour"
    assert en("report.count.hours", count="1.5") == "1.5 hours"
    assert en("report.count.hours", count="1.0") == "1.0 hours"
    assert en("report.count.hours", count="1,234") == "1,234 hours"
    assert zh("report.count.hours", count="1.5") == "1.5 小时"
    with pytest.raises(ValueError, match="not a number"):
        en("report.count.hours", count="many")


def test_every_error_code_has_a_message() -> None:
    for code in ErrorCode:
        assert f"error.{code.value.lower()}" in catalogs()["zh_Hans"].messages, code


def test_every_message_id_in_the_code_exists() -> None:
    used: set[str] = set()
    for folder in ("bot", "handlers"):
        for path in (ROOT / folder).rglob("*.py"):
            used |= set(KEY_LITERAL.findall(path.read_text(encoding="utf-8")))
    missing = sorted(used - catalogs()["zh_Hans"].messages.keys())
    assert not missing, missing


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("zh-hans", "zh_Hans"),
        ("zh-CN", "zh_Hans"),
        ("zh-hant", "zh_Hant"),
        ("zh-TW", "zh_Hant"),
        ("zh-HK", "zh_Hant"),
        ("en-US", "en"),
        ("fr", "zh_Hans"),
        (None, "zh_Hans"),
    ],
)
def test_telegram_language_codes_map_to_catalogs(code: str | None, expected: str) -> None:
    assert language_from_telegram(code, "zh_Hans") == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("en", "en"),
        ("EN", "en"),
        ("English", "en"),
        ("英文", "en"),
        ("zh", "zh_Hans"),
        ("zh_Hans", "zh_Hans"),
        ("zh-hans", "zh_Hans"),
        ("zh-CN", "zh_Hans"),
        ("简体", "zh_Hans"),
        ("简体中文", "zh_Hans"),
        ("簡體", "zh_Hans"),
        ("zh_Hant", "zh_Hant"),
        ("zh-tw", "zh_Hant"),
        ("zh-HK", "zh_Hant"),
        ("繁體", "zh_Hant"),
        ("繁体中文", "zh_Hant"),
        ("繁體中文 (Traditional Chinese)", "zh_Hant"),
        ("fr", None),
        ("english please", None),
        ("", None),
    ],
)
def test_a_language_typed_after_lang_is_read_in_its_usual_spellings(
    typed: str, expected: str | None
) -> None:
    assert language_named(typed) == expected


def test_dates_render_in_the_configured_zone() -> None:
    instant = dt.datetime(2026, 11, 30, 23, 30, tzinfo=dt.UTC)  # 07:30 on 1 Dec in Shanghai
    zh = Translator("zh_Hans", ZoneInfo("Asia/Shanghai"))
    en = Translator("en", ZoneInfo("Asia/Shanghai"))
    hant = Translator("zh_Hant", ZoneInfo("Asia/Shanghai"))
    assert zh.datetime(instant) == "2026年12月1日 07:30"
    assert en.datetime(instant) == "1 Dec 2026 07:30"
    assert zh.weekday_date(instant) == "12月1日 周二"
    assert hant.weekday_date(instant) == "12月1日 週二"
    assert zh.time(instant) == "07:30"


def test_a_span_ending_at_the_midnight_after_its_start_ends_at_24() -> None:
    """22:00–24:00, as a shift of /newshift or the import ending at 24:00 is shown: 22:00–00:00
    would read as ending before it starts. The midnight a span starts at stays 00:00."""
    shanghai = ZoneInfo("Asia/Shanghai")
    en = Translator("en", shanghai)
    evening = dt.datetime(2026, 12, 1, 22, tzinfo=shanghai)
    midnight = dt.datetime(2026, 12, 2, 0, tzinfo=shanghai)
    assert en.end_time(evening, midnight) == "24:00"
    assert en.end_time(evening, midnight + dt.timedelta(minutes=30)) == "00:30"
    assert en.end_time(midnight, midnight + dt.timedelta(hours=2)) == "02:00"
    assert en.end_time(evening - dt.timedelta(days=1), midnight) == "00:00"


def test_plural_forms_of_the_oversight_catalog_follow_the_count() -> None:
    zone = ZoneInfo("Asia/Shanghai")
    en, zh = Translator("en", zone), Translator("zh_Hans", zone)
    assert en("oversight.orders.open_count", count=1) == "1 order open"
    assert en("oversight.orders.open_count", count=3) == "3 orders open"
    assert zh("oversight.orders.open_count", count=3) == "3 件整改令未办结"


# One spelling per concept in Traditional Chinese, as the glossary has it: the right-hand
# variants crept in from other conventions and read as different words beside the glossary's.
TRADITIONAL_SPELLINGS = {
    "回覆": "回復",  # reply (to a rectification order); 回復 means "recover"
    "志願者": "志工",  # volunteer
    "志願服務": "志願者服務",  # volunteer service, as 志愿服务
    "天後": "天后",  # "in N days"; 天后 is a goddess
    "公尺": "米",  # metres
    "匯入": "導入",  # import
    "聯絡": "聯繫",  # contact
    "傳送": "發送",  # send
    "時數": "時長",  # hours served
    "包乾區": "責任區",  # a unit's zone, as the glossary names it
    "「": "“",  # quotation marks
    "崗位": "崗點",  # post
    "您": "你",  # the polite "you", as in every other message
    "對方": " ta ",  # the member spoken of: ta is the mainland's written "he or she"
    "核准": "審批",  # a coordinator approving a swap, as a leave is 核准 / 批准
    "資料": "數據",  # data, as the import messages have it
}
SIMPLIFIED_SPELLINGS = {
    "包干区": "责任区",  # a unit's zone, as the glossary names it
    "换岗": "找人换班",  # swap
    "岗位": "岗点",  # post
    "「": "“",  # quotation marks
    "您": "你",  # the polite "you", as in every other message
}


@pytest.mark.parametrize(
    ("language", "spellings"),
    [("zh_Hant", TRADITIONAL_SPELLINGS), ("zh_Hans", SIMPLIFIED_SPELLINGS)],
)
def test_chinese_keeps_one_spelling_per_term(language: str, spellings: dict[str, str]) -> None:
    messages = catalogs()[language].messages
    for wanted, variant in spellings.items():
        stray = sorted(
            key for key, text in messages.items() if any(variant in f for f in _forms(text))
        )
        assert not stray, f"{language} writes {variant} instead of {wanted} in {stray}"


# Common characters that exist only in Simplified Chinese, each with its Traditional form: a
# Simplified one in a Traditional message (or the other way round) is a line someone forgot to
# convert. Only pairs where the Simplified character is never correct Traditional text (so not
# 准, 台, 后, 里, 周, 干, 于, 着, whose forms are both in use).
SIMPLIFIED_TRADITIONAL = (
    "们們这這个個为為时時间間请請发發岗崗签簽员員单單动動没沒还還现現点點会會对對设設报報"
    "号號务務长長门門关關开開问問题題经經过過进進运運连連边邊达達处處条條东東车車区區级級"
    "线線结結给給统統计計记記让讓认認证證议議说說话話读讀该該详詳语語误誤调調谁誰换換导導"
    "帮幫应應张張录錄态態总總图圖场場实實将將属屬层層归歸园園围圍团團国國显顯暂暫书書亲親"
    "产產旧舊两兩举舉义義从從众眾优優传傳体體党黨兴興内內写寫决決况況减減几幾凭憑击擊划劃"
    "则則创創删刪别別办辦协協卫衛历歷压壓参參双雙变變吗嗎启啟响響坏壞块塊坚堅执執扫掃"
    "护護担擔择擇挂掛损損据據摄攝摆擺数數断斷无無机機权權来來极極构構标標栏欄样樣检檢楼樓"
    "欢歡残殘毕畢气氣汇匯沟溝洁潔测測满滿灭滅灯燈灵靈热熱爱愛状狀独獨环環电電画畫疗療盖蓋"
    "码碼确確礼禮离離种種积積称稱稳穩类類紧緊红紅约約纪紀练練组組细細终終继繼绩績续續维維"
    "编編网網罚罰职職联聯脑腦节節获獲营營补補观觀规規视視览覽觉覺订訂讨討训訓讲講许許论論"
    "访訪评評识識诉訴词詞译譯试試询詢谈談谢謝负負责責败敗货貨质質购購费費资資赶趕转轉轮輪"
    "轻輕较較输輸远遠迟遲选選递遞适適邮郵钟鐘铁鐵银銀错錯键鍵闭閉闻聞队隊阶階阳陽际際"
    "险險随隨隐隱难難页頁项項顺順须須顾顧预預领領频頻额額风風飞飛馆館验驗齐齊"
)
SIMPLIFIED_ONLY = dict(zip(SIMPLIFIED_TRADITIONAL[::2], SIMPLIFIED_TRADITIONAL[1::2], strict=True))
TRADITIONAL_ONLY = {traditional: simplified for simplified, traditional in SIMPLIFIED_ONLY.items()}


@pytest.mark.parametrize(
    ("language", "stray"),
    [("zh_Hant", SIMPLIFIED_ONLY), ("zh_Hans", TRADITIONAL_ONLY)],
)
def test_chinese_is_written_in_its_own_script(language: str, stray: dict[str, str]) -> None:
    wrong = sorted(
        (key, character)
        for key, text in catalogs()[language].messages.items()
        # A language's own name is written in its script ("简体中文" in a Traditional list).
        if not key.startswith("language.name.")
        for form in _forms(text)
        for character in form
        if character in stray
    )
    assert not wrong, f"{language} has characters of the other script: {wrong}"


# Placeholders that show a name someone typed (a unit's, a post's, a person's, a group's, a tag):
# quoted with 「」 in Chinese and “…” in English, in the same messages in every language.
NAME_FIELDS = frozenset({"unit", "post", "name", "title", "tag", "other_name"})
QUOTES = {"zh_Hans": ("「", "」"), "zh_Hant": ("「", "」"), "en": ("“", "”")}


def _quoted_names(text: str | tuple[str, ...], language: str) -> set[str]:
    opening, closing = QUOTES[language]
    pattern = re.compile(re.escape(opening) + r"\{(\w+)\}" + re.escape(closing))
    return {name for form in _forms(text) for name in pattern.findall(form)} & NAME_FIELDS


def test_a_name_is_quoted_alike_in_every_language() -> None:
    tables = {language: catalog.messages for language, catalog in catalogs().items()}
    unlike = sorted(
        (key, language)
        for key, text in tables["en"].items()
        for language in ("zh_Hans", "zh_Hant")
        if _quoted_names(tables[language][key], language) != _quoted_names(text, "en")
    )
    assert not unlike, f"a name quoted in one language and not in another: {unlike}"


# The glossary's terms (/work/shared/GLOSSARY.md) in Simplified and Traditional Chinese: a
# message that uses one in either script uses its counterpart in the other, so that the two
# catalogs name the campaign's things alike.
GLOSSARY_TERMS = (
    ("创文", "創文"),
    ("指挥部", "指揮部"),
    ("责任单位", "責任單位"),
    ("换岗", "換崗"),
    ("排班", "排班"),
    ("请假", "請假"),
    ("签到", "簽到"),
    ("签退", "簽退"),
    ("缺岗", "缺崗"),
    ("缺勤", "缺勤"),
    ("督查", "督查"),
    ("明查", "明查"),
    ("暗访", "暗訪"),
    ("随手拍", "隨手拍"),
    ("包干区", "包乾區"),
    ("整改令", "整改令"),
    ("签收", "簽收"),
    ("回复", "回覆"),
    ("退回", "退回"),
    ("办结", "辦結"),
    ("超期", "超期"),
    ("督办", "督辦"),
    ("回头看", "回頭看"),
    ("回复整改率", "回覆整改率"),
    ("按期办结率", "按期辦結率"),
    ("挂图作战", "掛圖作戰"),
    ("台账", "台賬"),
)


@pytest.mark.parametrize(("simplified", "traditional"), GLOSSARY_TERMS)
def test_both_chinese_catalogs_use_a_glossary_term_alike(simplified: str, traditional: str) -> None:
    def using(language: str, term: str) -> set[str]:
        messages = catalogs()[language].messages
        return {key for key, text in messages.items() if any(term in f for f in _forms(text))}

    hans, hant = using("zh_Hans", simplified), using("zh_Hant", traditional)
    assert hans == hant, (
        f"{simplified} only in zh_Hans {sorted(hans - hant)}, "
        f"{traditional} only in zh_Hant {sorted(hant - hans)}"
    )
