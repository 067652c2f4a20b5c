"""docs/FORMATS.md has a section with a real example for every format reader writes;
`tests/test_readme_examples.py` runs each marked example and compares it with what the
program prints. Here: that none of them is missing, and that what the document shows
outside a marked example (the Label Studio labeling config, the surrogate-pair refusal,
the tool versions) is what reader and the tools say."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_readme_examples import examples_in

from reader.annotate.schema import default_schema
from reader.formats import EXPORT_FORMATS, IMPORT_FORMATS
from reader.formats.label_studio import labeling_config
from reader.formats.offsets import OffsetError, Utf16Offsets

FORMATS_MD = Path(__file__).resolve().parent.parent / "docs" / "FORMATS.md"
TEXT = FORMATS_MD.read_text(encoding="utf-8")
SECTION_OF = {"doccano-entities": "doccano"}  # a second shape, shown in its tool's section


def test_every_format_has_a_section_and_an_example_the_program_printed() -> None:
    examples = examples_in(FORMATS_MD)
    for fmt in {*EXPORT_FORMATS, *IMPORT_FORMATS}:
        section = SECTION_OF.get(fmt, fmt)
        assert re.search(rf"^## {re.escape(section)}\b", TEXT, re.MULTILINE), fmt
        if fmt in ("native", "brat"):
            continue  # the default export, and a folder: shown as example-written
        assert any(
            e.kind in ("example", "example-run")
            and e.argument.startswith("reader export")
            and f"--format {fmt}" in e.argument
            for e in examples
        ), fmt
    utf16 = [e for e in examples if "--offsets utf16" in e.argument]
    assert utf16 and any(e.kind == "example-error" for e in examples if "ls-web" in e.argument)


def test_the_labeling_config_shown_is_the_one_for_the_default_schema() -> None:
    shown = TEXT.split("<!-- labeling-config: default schema -->", 1)[1]
    block = re.match(r"\s*```xml\n(.*?)\n```", shown, re.DOTALL)
    assert block is not None
    by_kind: dict[str, list[str]] = {}
    for label in default_schema().labels:
        by_kind.setdefault(label.kind, []).append(label.name)
    assert block.group(1) == labeling_config(by_kind)


def test_the_surrogate_pair_refusal_shown_is_what_reader_says() -> None:
    quoted = re.search(r"\(`(UTF-16 offset (\d+) falls inside[^`]*)`\)", TEXT)
    assert quoted is not None
    example = "Fans 👍🏽 cheered 🎉 the final."
    with pytest.raises(OffsetError) as raised:
        Utf16Offsets(example).from_utf16(int(quoted.group(2)))
    assert str(raised.value) == quoted.group(1).replace("\n", " ")


def test_the_tool_versions_named_are_the_ones_the_tests_ran() -> None:
    spacy = pytest.importorskip("spacy", reason="spaCy is in the test extra")
    major_minor = ".".join(spacy.__version__.split(".")[:2])
    assert TEXT.count(f"spaCy {major_minor}") >= 2  # the Prodigy and CoNLL checks
    assert "label-studio-sdk 2.1.2" in TEXT  # pinned by `make interop-formats`
    makefile = (FORMATS_MD.parent.parent / "Makefile").read_text(encoding="utf-8")
    assert "label-studio-sdk==2.1.2" in makefile
