"""A label key the schema accepts can really be pressed: in the running app (Pilot),
named keys, capitals, non-ASCII characters and Textual's names of characters each apply
their label, and what is on disk says so."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.annotate.schema import parse_schema
from reader.annotate.session import AnnotationSession
from reader.corpus import Corpus
from reader.store import AnnotationStore
from reader.ui.app import ReaderApp, make_app

# (key in the schema, the key Pilot presses)
KEYS = [
    ("f11", "f11"),
    ("F12", "f12"),
    ("ctrl+t", "ctrl+t"),
    ("Ctrl+Y", "ctrl+y"),
    ("insert", "insert"),
    ("alt+x", "alt+x"),
    ("P", "P"),
    ("é", "é"),
    ("7", "7"),
    ("plus", "plus"),
    ("+", "plus"),
    ("tilde", "tilde"),
    ("<", "less_than_sign"),
]


def schema_text(keys: list[str]) -> str:
    labels = "".join(
        f'\n[[groups.claim.labels]]\nname = "L{i}"\nkey = "{key}"\n' for i, key in enumerate(keys)
    )
    return f'name = "keys"\n\n[groups.claim]\nkind = "claim"\n{labels}'


@pytest.mark.parametrize(("key", "pressed"), KEYS, ids=[k for k, _ in KEYS])
async def test_an_accepted_label_key_applies_its_label(
    seed_corpus: Corpus, tmp_path: Path, key: str, pressed: str
) -> None:
    schema = parse_schema(schema_text(["1", key]), "keys.toml")
    db = tmp_path / "alice.json"
    store = AnnotationStore.open(db, "alice")
    app = make_app(seed_corpus, session=AnnotationSession(store, "alice", schema))
    try:
        async with app.run_test(size=(110, 36)) as pilot:
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()
            assert isinstance(pilot.app, ReaderApp)
            await pilot.press(pressed)
            await pilot.pause()
    finally:
        store.close()
    with AnnotationStore.open(db, read_only=True) as stored:
        assert [a.label for a in stored] == ["L1"]
