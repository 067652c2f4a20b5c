"""Label Studio JSON: the shape Label Studio's documentation gives for a task
(`data.text`, `annotations[].result[]` with `from_name`, `to_name`, `type: "labels"` and
`value.start/end/text/labels`), checked by Label Studio's own SDK where it is installed
(`make interop-formats`), a quote's speaker's relation result too; and both ways: what
Label Studio exports imports, and reader's export → import → export gives the same
bytes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cli_support import run
from format_support import SECOND, TEXT, make_store, record, span, utf16

from reader.annotate.annotations import Speaker
from reader.formats.label_studio import labeling_config
from reader.store import AnnotationStore


def export(store: Path, out: Path, *options: str) -> list[dict]:
    code, _, err = run(
        "export", "--db", str(store), "--format", "label-studio", "-o", str(out), *options
    )
    assert code == 0, err
    return json.loads(out.read_text(encoding="utf-8"))


def label_studio_sdk() -> Any:
    """Label Studio SDK's `label_interface`, or the test is skipped (saying why)."""
    return pytest.importorskip(
        "label_studio_sdk.label_interface",
        reason="label-studio-sdk is heavy (pandas, opencv): `make interop-formats` installs it",
    )


def test_export_has_the_documented_task_shape(tmp_path: Path) -> None:
    tasks = export(make_store(tmp_path), tmp_path / "ls.json")
    assert [t["data"]["text"] for t in tasks] == [TEXT, SECOND]
    (entry,) = tasks[0]["annotations"]
    assert entry["created_username"] == "alice"
    labels = [r for r in entry["result"] if r["type"] == "labels"]
    assert len(labels) == 5
    for region in labels:
        assert region["to_name"] == "text" and region["from_name"] in ("claim", "stance")
        value = region["value"]
        assert set(value) == {"start", "end", "text", "labels"}
        assert TEXT[value["start"] : value["end"]] == value["text"]
    stance = next(r for r in labels if r["from_name"] == "stance")
    assert stance["value"]["labels"] == ["AGAINST"]
    extras = {r["from_name"]: r for r in entry["result"] if r["type"] == "textarea"}
    assert extras["target"]["id"] == stance["id"]  # per-region: the same id
    assert extras["target"]["value"]["text"] == ['the port, "authority"']
    assert extras["holder"]["value"]["text"] == ["@owners"]


def test_label_studio_sdk_accepts_every_annotation(tmp_path: Path) -> None:
    sdk = label_studio_sdk()
    tasks = export(make_store(tmp_path), tmp_path / "ls.json")
    labels: dict[str, list[str]] = {}
    for task in tasks:
        for entry in task["annotations"]:
            for region in entry["result"]:
                if region["type"] == "labels":
                    labels.setdefault(region["from_name"], []).extend(region["value"]["labels"])
    interface = sdk.LabelInterface(labeling_config(labels))
    for task in tasks:
        # (validate_task itself cannot take annotations: label-studio-sdk 2.1.2 calls
        # validate_annotation() without its argument; each entry is checked below)
        assert interface.validate_task({"data": task["data"]})
        for entry in task["annotations"]:
            assert interface.validate_prediction(entry, return_errors=True) == []
    broken = {"result": [{**tasks[0]["annotations"][0]["result"][0], "from_name": "label"}]}
    assert interface.validate_prediction(broken, return_errors=True)  # the check can fail


def test_label_studio_sdk_accepts_the_speaker_relations(tmp_path: Path) -> None:
    """A quote's speaker is a relation result between two regions: one the annotator's
    PERSON, one a `SPEAKER` region of its own."""
    sdk = label_studio_sdk()
    text = 'Maria Costa said "We will win." Her deputy said "No comment."\n'

    def said_by(words: str) -> Speaker:
        return Speaker(*span(text, words), words)

    records = [
        record(text, "Maria Costa", "entity", "PERSON", 1),
        record(text, '"We will win."', "quote", "QUOTE", 2, speaker=said_by("Maria Costa")),
        record(text, '"No comment."', "quote", "QUOTE", 3, speaker=said_by("Her deputy")),
    ]
    [task] = export(make_store(tmp_path, [(text, {}, records)]), tmp_path / "ls.json")
    [entry] = task["annotations"]
    relations = [r for r in entry["result"] if r["type"] == "relation"]
    assert len(relations) == 2 and all(r["labels"] == ["speaker"] for r in relations)
    config = labeling_config({"entity": ["PERSON"], "quote": ["QUOTE"]})
    assert '<Relation value="speaker"/>' in config  # the SDK does not check relation labels
    interface = sdk.LabelInterface(config)
    assert interface.validate_prediction(entry, return_errors=True) == []
    dangling = [{**r, "to_id": "no-such-region"} if r in relations else r for r in entry["result"]]
    assert interface.validate_prediction({"result": dangling}, return_errors=True)


@pytest.mark.parametrize("offsets", ["codepoint", "utf16"])
def test_export_import_export_is_byte_identical(tmp_path: Path, offsets: str) -> None:
    first = tmp_path / "first.json"
    export(make_store(tmp_path), first, "--offsets", offsets)
    code, _, err = run(
        "import", str(first), "--db", str(tmp_path / "again.json"), "--offsets", offsets
    )
    assert code == 0, err  # the format is guessed: a JSON array is Label Studio's
    second = tmp_path / "second.json"
    export(tmp_path / "again.json", second, "--offsets", offsets)
    assert second.read_bytes() == first.read_bytes()


def test_a_file_label_studio_exported_is_imported(tmp_path: Path) -> None:
    """As Label Studio writes it: user numbers, short region ids, one `label` control,
    times in microseconds, a cancelled annotation and a prediction."""
    start, end = span(TEXT, "Prices  rose\tsharply 😀 on Monday.")
    o_start, o_end = span(TEXT, "👨‍👩‍👧 and 👍🏽 fans")
    region = {"from_name": "label", "to_name": "text", "type": "labels", "origin": "manual"}
    exported = [
        {
            "id": 7,
            "data": {"text": TEXT},
            "annotations": [
                {
                    "id": 12,
                    "completed_by": 3,
                    "was_cancelled": False,
                    "created_at": "2025-03-01T09:30:12.345678Z",
                    "updated_at": "2025-03-01T10:00:00.000001Z",
                    "result": [
                        {
                            **region,
                            "id": "gew3t9fgkg",
                            "value": {"start": start, "end": end, "labels": ["FACT"]},
                        },
                        {
                            **region,
                            "id": "0gpIsb7s27",
                            "value": {
                                "start": o_start,
                                "end": o_end,
                                "labels": ["AGAINST"],
                                "text": TEXT[o_start:o_end],
                            },
                        },
                    ],
                },
                {"id": 13, "completed_by": 4, "was_cancelled": True, "result": []},
            ],
            "predictions": [{"model_version": "m1", "result": []}],
        }
    ]
    path = tmp_path / "project-1.json"
    path.write_text(json.dumps(exported, ensure_ascii=False), encoding="utf-8")
    code, _, err = run("import", str(path), "--split-by-annotator", str(tmp_path / "stores"))
    assert code == 0, err
    assert "2 not-accepted task(s) skipped" in err
    store = AnnotationStore.open(tmp_path / "stores" / "user-3.json", read_only=True)
    (doc_id,) = store.counts()
    records = store.records(doc_id)
    assert [(r["start"], r["end"], r["label"], r["kind"]) for r in records] == [
        (start, end, "FACT", "claim"),
        (o_start, o_end, "AGAINST", "stance"),  # the default schema's kind of AGAINST
    ]
    assert {(r["created"], r["updated"]) for r in records} == {
        ("2025-03-01T09:30:12.345Z", "2025-03-01T10:00:00.000Z")
    }


def test_offsets_a_javascript_page_counted_are_refused_unless_said(tmp_path: Path) -> None:
    start, end = span(TEXT, "Cafe\u0301 owners said\u00a0no")
    value = {"start": utf16(TEXT, start), "end": utf16(TEXT, end), "text": TEXT[start:end]}
    task = {
        "data": {"text": TEXT},
        "annotations": [
            {
                "result": [
                    {
                        "id": "a",
                        "from_name": "stance",
                        "to_name": "text",
                        "type": "labels",
                        "value": {**value, "labels": ["AGAINST"]},
                    },
                ]
            }
        ],
    }
    path = tmp_path / "ls.json"
    path.write_text(json.dumps([task], ensure_ascii=False), encoding="utf-8")
    code, _, err = run("import", str(path), "--db", str(tmp_path / "x.json"))
    assert code == 2 and "task 1" in err and "give --offsets utf16" in err
    assert not (tmp_path / "x.json").exists()
    code, _, err = run("import", str(path), "--db", str(tmp_path / "x.json"), "--offsets", "utf16")
    assert code == 0, err
    store = AnnotationStore.open(tmp_path / "x.json", read_only=True)
    assert [r["text"] for r in store.records(next(iter(store.counts())))] == [TEXT[start:end]]


def test_a_file_that_is_not_label_studio_json_is_one_clear_line(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "\n", encoding="utf-8")
    code, _, err = run("import", str(path), "--db", str(tmp_path / "s.json"))
    assert code == 2 and err.startswith(f"reader: error: {path}: not Label Studio JSON")
    assert len(err.strip().splitlines()) == 1 and not (tmp_path / "s.json").exists()
