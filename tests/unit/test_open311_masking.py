"""Open311 publishes descriptions that people typed: a phone number in them is masked in every
common way of writing it, and dates and house numbers are left as written."""

from __future__ import annotations

import pytest

from bot.board.open311 import mask_names, mask_phones, public_names, published


@pytest.mark.parametrize(
    ("written", "published"),
    [
        ("电话 13812345678 找他", "电话 *** 找他"),
        ("电话 138.1234.5678 找他", "电话 *** 找他"),
        ("138/1234/5678", "***"),
        ("+86 138 1234 5678", "***"),
        ("(010)8888-1234 值班室", "*** 值班室"),
        ("2026-12-02 发现垃圾", "2026-12-02 发现垃圾"),
        ("2026/12/2 再看", "2026/12/2 再看"),
        ("人民路 12 号门口", "人民路 12 号门口"),
        (None, None),
    ],
)
def test_phone_numbers_are_masked_and_dates_kept(
    written: str | None, published: str | None
) -> None:
    assert mask_phones(written) == published


@pytest.mark.parametrize(
    ("written", "published_as"),
    [
        ("川A12345 停在盲道上", "川A*** 停在盲道上"),
        ("川A·12345停在盲道上", "川A***停在盲道上"),
        ("粤B D12345（新能源）", "粤B***（新能源）"),
        ("粤BD12345", "粤B***"),
        ("京a1234学", "京a***"),
        ("川Ａ１２３４５，电话13812345678", "川Ａ***，电话***"),
        # Typed by someone writing traditional characters (zh_Hant).
        ("粵B12345 停在盲道上", "粵B*** 停在盲道上"),
        ("滬A·12345", "滬A***"),
        ("京A1234學", "京A***"),
        ("來自京Beijing的遊客", "來自京Beijing的遊客"),
        ("来自京Beijing的游客", "来自京Beijing的游客"),
        ("川A区12号楼", "川A区12号楼"),
        ("人民路 12 号门口", "人民路 12 号门口"),
        (None, None),
    ],
)
def test_licence_plates_are_masked_but_their_province_and_city(
    written: str | None, published_as: str | None
) -> None:
    assert published(written) == published_as


NAMES = public_names(["王芳", "王芳芳", " 李  秀英 ", "Li", "张", "Anna-Marie"])


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("王芳芳和王芳在岗玩手机", "***和***在岗玩手机"),
        ("李 秀英 报告", "*** 报告"),
        ("LI and Lily and li.", "*** and Lily and ***."),
        ("Anna-Marie parked here", "*** parked here"),
        # One character is a word too: 张 (a surname) stays, as in 张贴.
        ("张贴小广告", "张贴小广告"),
        ("王芳 13812345678 川A12345", "*** *** 川A***"),
        (None, None),
    ],
)
def test_members_names_are_masked_whole_and_other_words_kept(
    written: str | None, shown: str | None
) -> None:
    assert published(written, NAMES) == shown
    assert mask_names(written, ()) == written
