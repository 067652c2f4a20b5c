"""Quote spans: every mark style, nesting, apostrophes, paragraphs and broken marks."""

from __future__ import annotations

import time

import pytest

from reader.nlp.quotes import find_quotes


def quotes(text: str) -> list[str]:
    found = find_quotes(text)
    last_end = 0
    for q in found:
        assert last_end <= q.start < q.end <= len(text)
        assert q.text == text[q.start : q.end]
        last_end = q.end
    return [q.text for q in found]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("“We will win,” she said.", ["“We will win,”"]),
        ("He called it ‘a farce’ on Monday.", ["‘a farce’"]),
        ('"Not now," he said, "maybe later."', ['"Not now,"', '"maybe later."']),
        ("They chanted ``Go home,'' and left.", ["``Go home,''"]),
        ("Il a dit «non merci» hier.", ["«non merci»"]),
        ("He said 'never again' twice.", ["'never again'"]),
    ],
)
def test_mark_styles(text: str, expected: list[str]) -> None:
    assert quotes(text) == expected


def test_nested_quote_is_part_of_the_outer_one() -> None:
    text = "“They told us: ‘Leave or you’re next’. We stayed,” Ruiz said."
    assert quotes(text) == ["“They told us: ‘Leave or you’re next’. We stayed,”"]


def test_ptb_inner_quote_closed_by_the_outer_mark() -> None:
    text = "``I told them, `Here I am your mayor,'' she said. ``They shout `we stay.''' Fine."
    assert quotes(text) == ["``I told them, `Here I am your mayor,''", "``They shout `we stay.'''"]


@pytest.mark.parametrize(
    "text",
    [
        "Chile’s students’ union doesn’t back the Shi’ite bloc of the ’90s.",
        "The students' books and the '90s rock 'n' roll don't count.",
        'A 12" pipe burst.',
    ],
)
def test_apostrophes_are_not_quotes(text: str) -> None:
    assert quotes(text) == []


def test_possessive_inside_a_single_quote() -> None:
    text = "It was ‘the workers’ party of old’, he said."
    assert quotes(text) == ["‘the workers’ party of old’"]


def test_multi_paragraph_quote_gives_one_span_per_paragraph() -> None:
    text = (
        "“The river rose overnight,” the mayor said. “We moved everyone we could.\n"
        "“Now we wait for the water to fall.”\n"
        "Crews worked all night.\n"
    )
    assert quotes(text) == [
        "“The river rose overnight,”",
        "“We moved everyone we could.",
        "“Now we wait for the water to fall.”",
    ]


def test_mismatched_subhead_does_not_swallow_the_article() -> None:
    text = "‘HANDS ARE TIED”\nThe minister said talks failed.\n“We tried,” she said.\n"
    assert quotes(text) == ["‘HANDS ARE TIED”", "“We tried,”"]


def test_unclosed_marks_stay_in_their_paragraph() -> None:
    text = "He said “we will\nThe next line has ‘no close.\nAnd “a real one” here.\n"
    assert quotes(text) == ["“we will", "“a real one”"]


def test_stray_marks() -> None:
    assert quotes("” closing first “") == []
    assert quotes("’ ‘ ’") == []
    assert quotes("") == []


def marks(times: int) -> str:
    return "‘“'\"`»«’” " * (5_000 * times) + "“" * (12_500 * times)


def best_seconds(text: str) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        find_quotes(text)
        best = min(best, time.perf_counter() - start)
    return best


@pytest.mark.serial  # it times itself
def test_many_marks_stay_linear() -> None:
    found = find_quotes(marks(4))
    assert all(q.text == marks(4)[q.start : q.end] for q in found)
    # Four times the marks take about four times as long (quadratic would be sixteen).
    assert best_seconds(marks(4)) < 10 * best_seconds(marks(1))
