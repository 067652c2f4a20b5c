"""Sentence splitting: abbreviations, initials, datelines, ellipses, quotes, newlines."""

from __future__ import annotations

import time

import pytest

from reader.nlp.sentences import split_sentences


def sentences(text: str) -> list[str]:
    spans = split_sentences(text)
    for s in spans:
        assert 0 <= s.start < s.end <= len(text)
        piece = text[s.start : s.end]
        assert piece == piece.strip()
    return [text[s.start : s.end] for s in spans]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The dam broke. Crews arrived.", ["The dam broke.", "Crews arrived."]),
        ("Is it safe? Yes! Go.", ["Is it safe?", "Yes!", "Go."]),
        # titles and initials never end a sentence
        (
            "Gen. Ortiz met Mr. Lund in Oslo. They spoke.",
            ["Gen. Ortiz met Mr. Lund in Oslo.", "They spoke."],
        ),
        ("Anna K. Berg won. She smiled.", ["Anna K. Berg won.", "She smiled."]),
        # initialisms: inside a sentence, and at its end before a common opener
        (
            "The U.N. envoy and U.S. officials met. Talks ended.",
            ["The U.N. envoy and U.S. officials met.", "Talks ended."],
        ),
        (
            "Troops left the U.S. The base closed.",
            ["Troops left the U.S.", "The base closed."],
        ),
        ("They met at 5 p.m. Friday in Lima.", ["They met at 5 p.m. Friday in Lima."]),
        (
            "Rates rose 3.5 percent in Jan. 1998. Fine.",
            ["Rates rose 3.5 percent in Jan. 1998.", "Fine."],
        ),
        ("It is ranked No. 4 in the world.", ["It is ranked No. 4 in the world."]),
        # a lower-case word never opens a sentence
        ("The W.H.O. said no. Later it agreed.", ["The W.H.O. said no.", "Later it agreed."]),
        # closing quote marks belong to the sentence they end
        (
            "“We will stay,” she said. “It is home.” Then she left.",
            ["“We will stay,” she said.", "“It is home.”", "Then she left."],
        ),
        ("He said ``no way.'' They laughed.", ["He said ``no way.''", "They laughed."]),
        ("It was help….” it said. Next came.", ["It was help….” it said.", "Next came."]),
        # ellipses
        ("The talks stalled... Then a deal came.", ["The talks stalled...", "Then a deal came."]),
        ("In my town, ... Children play.", ["In my town, ... Children play."]),
        # doubled stops
        ("Strikes hit Syria.. The army replied.", ["Strikes hit Syria..", "The army replied."]),
        ("(The vote was close.) It passed.", ["(The vote was close.)", "It passed."]),
    ],
)
def test_split(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


def test_newline_always_ends_a_sentence() -> None:
    text = "LIMA-\nFloods hit the coast\nRescuers arrived, officials said\n\n  Roads closed.  \n"
    assert sentences(text) == [
        "LIMA-",
        "Floods hit the coast",
        "Rescuers arrived, officials said",
        "Roads closed.",
    ]


def test_dateline_stays_with_its_sentence() -> None:
    text = "OSLO, Norway (AP) _ Fishermen protested on Monday. Police watched."
    assert sentences(text) == [
        "OSLO, Norway (AP) _ Fishermen protested on Monday.",
        "Police watched.",
    ]


def test_empty_and_blank() -> None:
    assert sentences("") == []
    assert sentences(" \n\t\n ") == []


def long_input(times: int) -> str:
    return "x" + "." * (50_000 * times) + " y " + "U.S. " * (12_500 * times) + "a" * (50_000 * times)


def best_seconds(text: str) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        split_sentences(text)
        best = min(best, time.perf_counter() - start)
    return best


@pytest.mark.serial  # it times itself
def test_long_inputs_stay_linear() -> None:
    text = long_input(4)
    spans = split_sentences(text)
    assert spans and spans[-1].end == len(text)
    # Four times the text takes about four times as long (quadratic would be sixteen).
    assert best_seconds(text) < 10 * best_seconds(long_input(1))
