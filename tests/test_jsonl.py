"""The JSON Lines reader shared by the corpus loader and the export/import formats."""

from __future__ import annotations

import pytest

from reader.jsonl import BadLine, parse_object, read_jsonl


def keep(record: dict, number: int) -> tuple[int, dict]:
    return number, record


def test_objects_come_with_their_line_numbers_and_blank_lines_are_skipped() -> None:
    lines = ['{"a": 1}', "", "   ", '{"b": 2}', "\t"]
    assert read_jsonl(lines, keep) == ([(1, {"a": 1}), (4, {"b": 2})], [])


def test_bad_json_is_named_by_line_and_column() -> None:
    records, problems = read_jsonl(['{"a": 1}', '{"a": ', '{"b": 2}'], keep)
    assert records == [(1, {"a": 1}), (3, {"b": 2})]
    assert problems == [BadLine(2, "invalid JSON (Expecting value, column 7)")]


@pytest.mark.parametrize("line", ["[1, 2]", '"text"', "3", "null", "true"])
def test_a_line_that_is_not_an_object_is_a_problem(line: str) -> None:
    assert read_jsonl([line], keep) == ([], [BadLine(1, "expected a JSON object")])


def test_what_convert_refuses_is_a_problem_of_its_line_in_order() -> None:
    def convert(record: dict, number: int) -> str:
        if "text" not in record:
            raise ValueError('missing "text"')
        return record["text"]

    lines = ['{"text": "one"}', "{}", "[]", '{"text": "two"}']
    texts, problems = read_jsonl(lines, convert)
    assert texts == ["one", "two"]
    assert problems == [BadLine(2, 'missing "text"'), BadLine(3, "expected a JSON object")]


def test_crlf_line_ends_read_as_they_are() -> None:
    lines = ['{"a": 1}\r', "\r", '{"b": "x\\r\\ny"}\r', ""]  # a CRLF file split at "\n"
    assert read_jsonl(lines, keep) == ([(1, {"a": 1}), (3, {"b": "x\r\ny"})], [])


def test_a_bom_is_the_callers_to_drop() -> None:
    records, problems = read_jsonl(['\ufeff{"a": 1}', '{"b": 2}'], keep)
    assert records == [(2, {"b": 2})]
    assert [p.line for p in problems] == [1]
    assert problems[0].message.startswith("invalid JSON (Unexpected UTF-8 BOM")


def test_advance_is_called_once_a_line_blank_ones_too() -> None:
    steps: list[int] = []
    read_jsonl(['{"a": 1}', "", "{oops", "[]"], keep, lambda: steps.append(1))
    assert len(steps) == 4


def test_empty_input_reads_as_nothing() -> None:
    assert read_jsonl([], keep) == ([], [])


def test_parse_object_says_what_is_wrong() -> None:
    assert parse_object(' {"a": [1, 2]} \n') == {"a": [1, 2]}
    with pytest.raises(ValueError, match=r"^invalid JSON \(Expecting ',' delimiter, column 9\)$"):
        parse_object('{"a": 1 "b": 2}')
    with pytest.raises(ValueError, match="^expected a JSON object$"):
        parse_object("[]")
