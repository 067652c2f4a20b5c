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
