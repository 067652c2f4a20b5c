"""The label schema: the default, custom schemas, and one clear error per bad schema."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.annotate.schema import (
    DEFAULT_SCHEMA_PATH,
    RESERVED_KEYS,
    SchemaError,
    default_schema,
    load_schema,
    normalise_key,
    parse_schema,
)

GOOD = """\
name = "claimbuster"

[groups.check]
kind = "claim"
description = "ClaimBuster categories"

[[groups.check.labels]]
name = "CFS"
key = "1"
color = "red"
description = "Check-worthy factual sentence"

[[groups.check.labels]]
name = "UFS"
key = "2"

[groups.fnc]
kind = "stance"
targets = ["the headline"]

[[groups.fnc.labels]]
name = "agree"
key = "P"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "schema.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_default_schema_has_the_issue_labels_on_their_keys() -> None:
    schema = default_schema()
    assert [(label.key, label.name) for label in schema.labels[:4]] == [
        ("1", "FACT"),
        ("2", "OPINION"),
        ("3", "PREDICTION"),
        ("4", "OTHER"),
    ]
    stance = schema.group("stance")
    assert stance is not None and stance.kind == "stance" and stance.targets == ()
    assert {label.name for label in stance.labels} == {"FAVOR", "AGAINST", "NONE"}
    assert all(label.color and label.description for label in schema.labels)
    assert not set(schema.keys) & RESERVED_KEYS
    assert schema.label_for_key("1").name == "FACT"
    assert schema.kind_of("AGAINST") == "stance"
    assert DEFAULT_SCHEMA_PATH.parent.name == "annotate"  # ships inside the package


def test_custom_schema_with_groups_colours_and_targets(tmp_path: Path) -> None:
    schema = load_schema(write(tmp_path, GOOD))
    assert schema.name == "claimbuster"
    assert [g.name for g in schema.groups] == ["check", "fnc"]
    assert schema.label("CFS").color == "red"
    assert schema.label("UFS").color  # a colour is given when none is
    assert schema.label("CFS").description == "Check-worthy factual sentence"
    assert schema.group("fnc").targets == ("the headline",)
    assert schema.label_for_key("P").name == "agree"
    assert schema.group_of("UFS").name == "check"


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        (GOOD.replace('color = "red"', 'colour = "red"'), 10, "unknown field 'colour'"),
        (GOOD.replace('key = "2"', 'key = "1"'), 15, "key '1' is on two labels: CFS and UFS"),
        (GOOD.replace('key = "2"', 'key = "j"'), 15, "key 'j' of label 'UFS' is already used"),
        (GOOD.replace('key = "2"', 'key = "space"'), 15, "already used by the app"),
        (GOOD.replace('name = "UFS"\n', ""), 13, "missing label name"),
        (GOOD.replace('kind = "stance"', 'kind = "stances"'), 18, "kind must be one of"),
        (GOOD.replace('color = "red"', 'color = "reddish"'), 10, "'reddish' is not a colour"),
        (GOOD.replace('name = "agree"', 'name = "CFS"'), 22, "label 'CFS' is already defined"),
        (GOOD + '\n[groups.empty]\nkind = "claim"\n', 25, "group 'empty' has no labels"),
        (
            GOOD.replace("[groups.fnc]", "[groups.fnc]\nwhatever = 1"),
            18,
            "unknown field 'whatever'",
        ),
        ('name = "x"\n', 1, "no label groups"),
        (GOOD.replace('name = "UFS"', 'name = "U F S"'), 14, "must not contain spaces"),
    ],
)
def test_bad_schema_names_file_line_and_problem(
    tmp_path: Path, text: str, line: int, problem: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(SchemaError) as caught:
        load_schema(path)
    message = str(caught.value)
    assert message.startswith(f"{path}, line {line}: "), message
    assert problem in message


def test_invalid_toml_and_missing_file(tmp_path: Path) -> None:
    path = write(tmp_path, 'name = "x"\n[groups.a\n')
    with pytest.raises(SchemaError, match=r"schema\.toml, line 2: invalid TOML: .*\(column \d+\)$"):
        load_schema(path)
    with pytest.raises(SchemaError, match="no such schema file"):
        load_schema(tmp_path / "missing.toml")


def test_key_spellings_are_normalised() -> None:
    assert normalise_key("semicolon") == ";"
    assert normalise_key(" ") == "space"
    assert normalise_key("Ctrl+R") == "ctrl+r"
    assert normalise_key("J") == "J"
    assert {";", "ctrl+r", "shift+tab", "pagedown", "J"} <= RESERVED_KEYS


ENTITIES = """\
[groups.who]
kind = "entity"
[[groups.who.labels]]
name = "Person"
key = "5"
tag = "PERSON"
[[groups.who.labels]]
name = "ORG"
key = "6"
[[groups.who.labels]]
name = "Thing"
key = "7"
[groups.said]
kind = "quote"
[[groups.said.labels]]
name = "Said"
key = "0"
"""


def test_entity_labels_take_the_engine_type_their_tag_names() -> None:
    from reader.nlp.types import ENTITY_LABELS

    schema = parse_schema(ENTITIES)
    assert [(label.name, label.tag) for label in schema.labels] == [
        ("Person", "PERSON"),  # renamed: the tag says which type it takes
        ("ORG", "ORG"),  # by default its own name
        ("Thing", ""),  # no engine type: never suggested
        ("Said", ""),
    ]
    assert schema.entity_label("PERSON").name == "Person"
    assert schema.entity_label("GPE") is None
    assert schema.quote_label.name == "Said"
    assert [label.tag for label in default_schema().labels if label.kind == "entity"] == list(
        ENTITY_LABELS
    )
    assert default_schema().quote_label.key == "0"


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (('tag = "PERSON"', 'tag = "PEOPLE"'), "line 6: tag 'PEOPLE' of label 'Person' is not"),
        (('name = "ORG"', 'name = "ORG"\ntag = "PERSON"'), "line 9: entity type PERSON is taken"),
        (('name = "Said"', 'name = "Said"\ntag = "PERSON"'), "only entity labels have a tag"),
    ],
)
def test_a_bad_tag_is_refused_with_its_line(change: tuple[str, str], problem: str) -> None:
    with pytest.raises(SchemaError, match=problem):
        parse_schema(ENTITIES.replace(*change), "s.toml")


def test_capital_a_is_reserved_for_accepting_a_sentences_suggestions() -> None:
    assert "A" in RESERVED_KEYS
    with pytest.raises(SchemaError, match="accept every suggestion in the sentence"):
        parse_schema(ENTITIES.replace('key = "7"', 'key = "A"'), "s.toml")
