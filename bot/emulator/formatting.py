"""parse_mode handling: Telegram strips the markup, answers with plain text plus entities, and
refuses malformed markup with "can't parse entities" -- the bug class worth catching in tests."""

from __future__ import annotations

import re
from typing import Any

from bot.emulator.params import ApiError, bad_request

Entity = dict[str, Any]

_HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ATTRIBUTE = re.compile(r"""\s*([a-zA-Z-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?""")
_MDV2_RESERVED = set("_*[]()~`>#+-=|{}.!")


def utf16_len(text: str) -> int:
    """Entity offsets count UTF-16 code units, as Telegram does."""
    return len(text.encode("utf-16-le")) // 2


def _cant_parse(detail: str) -> ApiError:
    return bad_request(f"can't parse entities: {detail}")


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def parse(text: str, parse_mode: str | None) -> tuple[str, list[Entity]]:
    """Plain text and entities of `text` under `parse_mode` (None: the text as it is)."""
    if not parse_mode:
        return text, []
    mode = parse_mode.lower()
    if mode == "html":
        return _parse_html(text)
    if mode == "markdownv2":
        return _parse_markdown(text, v2=True)
    if mode == "markdown":
        return _parse_markdown(text, v2=False)
    raise bad_request(f"unsupported parse_mode {parse_mode}")


class _Builder:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0  # UTF-16 units emitted so far
        self.entities: list[Entity] = []

    def add(self, chunk: str) -> None:
        self.parts.append(chunk)
        self.length += utf16_len(chunk)

    def close(self, kind: str, start: int, extra: dict[str, Any]) -> None:
        if self.length > start:
            self.entities.append({"type": kind, "offset": start, "length": self.length - start})
            self.entities[-1].update(extra)

    def result(self) -> tuple[str, list[Entity]]:
        self.entities.sort(key=lambda entity: (entity["offset"], -entity["length"]))
        return "".join(self.parts), self.entities


def _html_entity(text: str, index: int) -> tuple[str, int]:
    end = text.find(";", index)
    if end != -1 and end - index <= 10:
        name = text[index + 1 : end]
        if name in _NAMED_ENTITIES:
            return _NAMED_ENTITIES[name], end + 1
        try:
            if name.startswith(("#x", "#X")):
                return chr(int(name[2:], 16)), end + 1
            if name.startswith("#"):
                return chr(int(name[1:])), end + 1
        except (ValueError, OverflowError):
            pass
    # Telegram leaves an unknown or bare ampersand as text.
    return "&", index + 1


def _parse_html(text: str) -> tuple[str, list[Entity]]:
    out = _Builder()
    stack: list[tuple[str, int, dict[str, Any]]] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "&":
            decoded, i = _html_entity(text, i)
            out.add(decoded)
            continue
        if char != "<":
            next_special = min(
                (pos for pos in (text.find("<", i), text.find("&", i)) if pos != -1),
                default=len(text),
            )
            out.add(text[i:next_special])
            i = next_special
            continue
        start = i
        closing = text.startswith("</", i)
        j = i + (2 if closing else 1)
        name_end = j
        while name_end < len(text) and (text[name_end].isalnum() or text[name_end] == "-"):
            name_end += 1
        name = text[j:name_end].lower()
        if not name:
            raise _cant_parse(
                f"Unexpected end of name token at byte offset {_byte_offset(text, name_end)}"
            )
        close = text.find(">", name_end)
        if close == -1:
            raise _cant_parse(f"Unclosed start tag at byte offset {_byte_offset(text, start)}")
        if closing:
            if not stack:
                raise _cant_parse(f"Unexpected end tag at byte offset {_byte_offset(text, start)}")
            open_name, begin, opened = stack.pop()
            if open_name != name:
                raise _cant_parse(
                    f"Unmatched end tag at byte offset {_byte_offset(text, start)}, "
                    f'expected "</{open_name}>", found "</{name}>"'
                )
            kind = _HTML_TAGS[open_name]
            if kind == "blockquote" and opened.pop("expandable", False):
                kind = "expandable_blockquote"
            if kind == "code" and stack and stack[-1][0] == "pre":
                # <pre><code class="language-x"> is one pre entity with a language.
                if "language" in opened:
                    stack[-1][2]["language"] = opened["language"]
            elif kind == "text_link" and str(opened.get("url", "")).startswith("tg://user?id="):
                out.close("text_mention", begin, {"user": {"id": int(opened["url"][13:])}})
            else:
                out.close(kind, begin, opened)
            i = close + 1
            continue
        if name not in _HTML_TAGS:
            raise _cant_parse(
                f'Unsupported start tag "{name}" at byte offset {_byte_offset(text, start)}'
            )
        attributes = {
            match.group(1).lower(): match.group(2) or match.group(3) or match.group(4) or ""
            for match in _ATTRIBUTE.finditer(text[name_end:close])
        }
        extra: dict[str, Any] = {}
        if name == "a":
            extra["url"] = attributes.get("href", "")
        elif name == "span" and attributes.get("class") != "tg-spoiler":
            raise _cant_parse(
                f'Unsupported start tag "span" at byte offset {_byte_offset(text, start)}'
            )
        elif name == "code" and attributes.get("class", "").startswith("language-"):
            extra["language"] = attributes["class"][len("language-") :]
        elif name == "blockquote" and "expandable" in attributes:
            extra["expandable"] = True
        elif name == "tg-emoji":
            extra["custom_emoji_id"] = attributes.get("emoji-id", "")
        stack.append((name, out.length, extra))
        i = close + 1
    if stack:
        raise _cant_parse(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return out.result()


_MD_V2_MARKERS = {"*": "bold", "_": "italic", "__": "underline", "~": "strikethrough"}
_MD_V2_MARKERS["||"] = "spoiler"
_MD_V1_MARKERS = {"*": "bold", "_": "italic"}


def _parse_markdown(text: str, *, v2: bool) -> tuple[str, list[Entity]]:
    out = _Builder()
    markers = _MD_V2_MARKERS if v2 else _MD_V1_MARKERS
    stack: list[tuple[str, int, int]] = []  # marker, output offset, input index
    link_starts: list[tuple[int, int]] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\" and v2 and i + 1 < len(text):
            out.add(text[i + 1])
            i += 2
            continue
        if char == "`":
            fence = "```" if text.startswith("```", i) else "`"
            end = text.find(fence, i + len(fence))
            if end == -1:
                raise _cant_parse(
                    f"Can't find end of {'Pre' if fence == '```' else 'Code'} entity "
                    f"at byte offset {_byte_offset(text, i)}"
                )
            body = text[i + len(fence) : end]
            language = ""
            if fence == "```" and "\n" in body:
                first, rest = body.split("\n", 1)
                if first and " " not in first:
                    language, body = first, rest
            if v2:
                body = re.sub(r"\\([`\\])", r"\1", body)
            begin = out.length
            out.add(body)
            out.close(
                "pre" if fence == "```" else "code",
                begin,
                {"language": language} if language else {},
            )
            i = end + len(fence)
            continue
        if char == "[" and "](" in text[i:]:
            link_starts.append((out.length, i))
            i += 1
            continue
        if char == "]" and link_starts and text.startswith("(", i + 1):
            end = text.find(")", i + 2)
            if end == -1:
                raise _cant_parse(
                    f"Can't find end of a URL at byte offset {_byte_offset(text, i + 1)}"
                )
            begin, _ = link_starts.pop()
            url = text[i + 2 : end]
            if url.startswith("tg://user?id="):
                out.close("text_mention", begin, {"user": {"id": int(url[13:] or 0)}})
            else:
                out.close("text_link", begin, {"url": url})
            i = end + 1
            continue
        marker = text[i : i + 2] if text[i : i + 2] in markers else char
        if marker in markers:
            if stack and stack[-1][0] == marker:
                _, begin, _ = stack.pop()
                out.close(markers[marker], begin, {})
            else:
                stack.append((marker, out.length, i))
            i += len(marker)
            continue
        if v2 and char in _MDV2_RESERVED:
            raise _cant_parse(
                f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
            )
        out.add(char)
        i += 1
    if stack:
        marker, _, index = stack[-1]
        kind = markers[marker].capitalize()
        if v2:
            raise _cant_parse(
                f"Can't find end of {kind} entity at byte offset {_byte_offset(text, index)}"
            )
        raise _cant_parse(
            f"Can't find end of the entity starting at byte offset {_byte_offset(text, index)}"
        )
    if link_starts and v2:
        raise _cant_parse("Character '[' is reserved and must be escaped with the preceding '\\'")
    return out.result()
