"""`inert`: nothing from a file can drive the terminal it is printed on."""

from reader.printable import inert


def test_escape_sequences_become_visible() -> None:
    assert inert("a\x1b[2Jb") == "a\\x1b[2Jb"
    assert inert("\x1bc") == "\\x1bc"
    assert inert("\x1b]52;c;aGk=\x07") == "\\x1b]52;c;aGk=\\x07"
    assert inert("x\x9b31m") == "x\\x9b31m"  # the one-byte C1 CSI


def test_newlines_and_tabs_escaped_unless_kept() -> None:
    assert inert("a\nb\tc\r") == "a\\nb\\tc\\r"
    assert inert("a\nb\tc\x1b", keep_lines=True) == "a\nb\tc\\x1b"


def test_plain_text_and_non_latin_text_unchanged() -> None:
    for text in ("Tehran", "Хаменеи", "خامنه‌ای", "emoji 🙂", ""):
        assert inert(text) == text


def test_lone_surrogates_are_escaped_so_printing_cannot_fail() -> None:
    shown = inert("note \ud800 here")
    assert shown == "note \\ud800 here"
    shown.encode("utf-8")


def test_inert_json_escapes_what_json_leaves_raw_and_decodes_the_same() -> None:
    import json

    from reader.printable import inert_json

    value = {"title\x9b": ["x\x1b[2J", "del\x7f", "c1\x85", "lone \ud800", "Хаменеи"]}
    text = inert_json(value)
    assert not any(0x7F <= ord(c) <= 0x9F or ord(c) < 0x20 for c in text)
    text.encode("utf-8")  # writable
    assert "Хаменеи" in text  # other text is not escaped
    assert json.loads(text) == value
