"""Session operations, each checked against the store as reopened from disk."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.annotate.annotations import AnnotationError
from reader.annotate.schema import default_schema
from reader.annotate.session import AnnotationSession
from reader.corpus import Document
from reader.store import AnnotationStore

TEXT = (
    "The harbour in Lisbon reopened on Monday after storms. "
    "Officials said repairs cost millions. "
    "Traffic will double by next year, the director predicted.\n"
)
DOC = Document(text=TEXT, title="Harbour", source="harbour.txt", meta={"title": "Harbour"})
FIRST = (0, TEXT.index(".") + 1)


def on_disk(path: Path) -> list:
    with AnnotationStore.open(path) as store:
        return store.for_document(DOC.id)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "ann.json"


@pytest.fixture
def session(db: Path):
    store = AnnotationStore.open(db, "alice")
    yield AnnotationSession(store, schema=default_schema())
    store.close()


def reopen(session: AnnotationSession, db: Path) -> list:
    session.store.close()
    found = on_disk(db)
    session.store = AnnotationStore.open(db, "alice")
    return found


def test_label_adds_and_stores_the_document(session: AnnotationSession, db: Path) -> None:
    added = session.apply_label(DOC, *FIRST, "FACT")
    assert added.kind == "claim" and added.annotator == "alice"
    [saved] = reopen(session, db)
    assert saved == added and saved.text == TEXT[slice(*FIRST)]
    assert session.store.document(DOC.id).text == TEXT
    assert session.store.document(DOC.id).meta == {"title": "Harbour"}


def test_another_label_key_on_the_same_span_relabels(session: AnnotationSession, db: Path) -> None:
    first = session.apply_label(DOC, *FIRST, "FACT")
    second = session.apply_label(DOC, *FIRST, "OPINION")
    assert second.id == first.id and second.label == "OPINION"
    same = session.apply_label(DOC, *FIRST, "OPINION")
    assert same == second  # nothing to change: nothing recorded
    stance = session.apply_label(DOC, *FIRST, "AGAINST", target="the port")
    assert stance.id != first.id  # a different kind is a different annotation
    saved = reopen(session, db)
    assert {(a.kind, a.label) for a in saved} == {("claim", "OPINION"), ("stance", "AGAINST")}


def test_stance_target_holder_and_note(session: AnnotationSession, db: Path) -> None:
    stance = session.apply_label(DOC, 56, 92, "FAVOR", target="repairs", holder="Officials")
    session.set_stance(stance, target="the harbour", label="AGAINST")
    session.set_note(stance.id, "said by officials")
    [saved] = reopen(session, db)
    assert (saved.label, saved.target, saved.holder) == ("AGAINST", "the harbour", "Officials")
    assert saved.note == "said by officials"
    claim = session.apply_label(DOC, *FIRST, "FACT")
    with pytest.raises(AnnotationError, match="only stance"):
        session.set_stance(claim, target="x")


def test_delete_undo_redo_are_what_is_on_disk(session: AnnotationSession, db: Path) -> None:
    added = session.apply_label(DOC, *FIRST, "FACT")
    session.set_note(added, "checked")
    session.delete(added)
    assert reopen(session, db) == []
    assert session.undo().description == "delete FACT"
    [back] = reopen(session, db)
    assert back.note == "checked" and back.id == added.id
    session.undo()  # the note
    assert reopen(session, db)[0].note == ""
    session.undo()  # the add
    assert reopen(session, db) == []
    assert session.undo() is None and not session.can_undo
    session.redo()
    session.redo()
    assert reopen(session, db)[0].note == "checked"
    session.redo()
    assert reopen(session, db) == [] and not session.can_redo
    session.undo()
    session.apply_label(DOC, 56, 92, "OPINION")  # a new operation clears the redo stack
    assert not session.can_redo


def test_errors_are_typed(session: AnnotationSession) -> None:
    with pytest.raises(AnnotationError, match="unknown label"):
        session.apply_label(DOC, *FIRST, "NOPE")
    with pytest.raises(AnnotationError, match="span"):
        session.apply_label(DOC, 5, 5000, "FACT")
    added = session.apply_label(DOC, *FIRST, "FACT")
    session.delete(added)
    with pytest.raises(AnnotationError, match="no longer exists"):
        session.set_note(added, "x")


def test_at_lists_innermost_first(session: AnnotationSession) -> None:
    outer = session.apply_label(DOC, 0, 60, "OPINION")
    inner = session.apply_label(DOC, 4, 11, "FACT")
    assert [a.id for a in session.at(DOC.id, 5)] == [inner.id, outer.id]
    assert session.at(DOC.id, 100) == []


operation = st.one_of(
    st.tuples(st.just("label"), st.integers(0, 3), st.sampled_from(["FACT", "OPINION", "FAVOR"])),
    st.tuples(st.just("note"), st.integers(0, 5), st.text(max_size=5)),
    st.tuples(st.just("delete"), st.integers(0, 5), st.none()),
    st.tuples(st.just("undo"), st.none(), st.none()),
    st.tuples(st.just("redo"), st.none(), st.none()),
)
SPANS = [(0, 10), (4, 20), (56, 92), (0, 10)]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(operation, max_size=12))
def test_any_sequence_undoes_to_nothing_and_redoes_to_disk(tmp_path: Path, ops: list) -> None:
    db = tmp_path / f"prop-{len(list(tmp_path.iterdir()))}.json"
    with AnnotationStore.open(db, "p") as store:
        session = AnnotationSession(store, schema=default_schema())
        for name, arg, value in ops:
            present = session.annotations(DOC.id)
            if name == "label":
                session.apply_label(DOC, *SPANS[arg], value)
            elif name in ("note", "delete") and present:
                target = present[arg % len(present)]
                if name == "note":
                    session.set_note(target, value)
                else:
                    session.delete(target)
            elif name == "undo":
                session.undo()
            elif name == "redo":
                session.redo()
        shown = session.annotations(DOC.id)
        keys = [(a.start, a.end, a.kind, a.annotator) for a in shown if a.kind == "claim"]
        assert len(keys) == len(set(keys))  # one claim per span per annotator
        undone = 0
        while session.undo():
            undone += 1
        assert session.annotations(DOC.id) == []
        for _ in range(undone):
            session.redo()
        assert session.annotations(DOC.id) == shown
    assert on_disk(db) == shown


def test_target_suggestions_show_a_screenful_and_say_what_enter_saves() -> None:
    from reader.annotate.session import TargetSuggestions

    many = TargetSuggestions([f"target {n}" for n in range(200_000)], shown=8)
    first = many.suggest("")
    assert first.matches == [f"target {n}" for n in range(8)] and first.more
    assert first.chosen == "target 0" and first.new is None
    found = many.suggest("  TARGET 199999 ")  # case and spaces do not matter: it is exact
    assert (found.new, found.matches, found.more, found.chosen) == (
        None,
        ["target 199999"],
        False,
        "target 199999",
    )
    typed = TargetSuggestions(["sanctions", "ceasefire"]).suggest("Iran")
    assert (typed.new, typed.matches, typed.chosen) == ("Iran", [], "Iran")
    partial = TargetSuggestions(["sanctions", "ceasefire"]).suggest("sanc")
    assert (partial.new, partial.matches, partial.chosen) == ("sanc", ["sanctions"], "sanctions")
    assert TargetSuggestions([]).suggest(" Iran ").chosen == "Iran"


def test_stance_targets_are_listed_once_in_schema_order() -> None:
    from reader.annotate.schema import parse_schema
    from reader.annotate.session import stance_targets

    schema = parse_schema(
        '[groups.a]\nkind = "stance"\ntargets = ["x", "y", "x"]\n'
        '[[groups.a.labels]]\nname = "PRO"\nkey = "p"\n'
        '[groups.b]\nkind = "stance"\ntargets = ["y", "z"]\n'
        '[[groups.b.labels]]\nname = "CON"\nkey = "c"\n'
    )
    assert stance_targets(schema, "PRO") == ["x", "y"]
    assert stance_targets(schema) == ["x", "y", "z"]
    assert stance_targets(None) == []


def test_a_failed_undo_or_redo_keeps_the_step_to_try_again(
    session: AnnotationSession, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reader.store import StoreError

    def disk_full(*args: object, **kwargs: object) -> None:
        raise StoreError(f"{db}: cannot save (No space left on device)")

    added = session.apply_label(DOC, *FIRST, "FACT")
    with monkeypatch.context() as patch:
        patch.setattr(session.store, "remove", disk_full)
        with pytest.raises(StoreError):
            session.undo()
    assert session.can_undo and not session.can_redo
    assert [a.id for a in reopen(session, db)] == [added.id]
    session.undo()
    assert reopen(session, db) == []
    with monkeypatch.context() as patch:
        patch.setattr(session.store, "put", disk_full)
        with pytest.raises(StoreError):
            session.redo()
    assert session.can_redo
    session.redo()
    assert [a.id for a in reopen(session, db)] == [added.id]


SECOND = (TEXT.index("Officials"), TEXT.index("millions.") + len("millions."))


def test_a_batch_is_one_undo_step_and_one_redo_step(session: AnnotationSession, db: Path) -> None:
    session.apply_label(DOC, *FIRST, "FACT")
    with session.batch("two claims"):
        session.apply_label(DOC, *SECOND, "OPINION")
        first = session.find(DOC.id, *FIRST, "claim", "FACT")
        assert first is not None
        session.relabel(first, "OPINION")
    assert session.undo().description == "two claims"
    assert [(a.start, a.label) for a in reopen(session, db)] == [(0, "FACT")]
    assert session.redo().description == "two claims"
    assert [a.label for a in reopen(session, db)] == ["OPINION", "OPINION"]
    session.undo()
    session.undo()  # the first label, a step of its own
    assert reopen(session, db) == [] and not session.can_undo


def test_a_batch_that_fails_half_way_undoes_what_it_saved(
    session: AnnotationSession, db: Path
) -> None:
    with pytest.raises(AnnotationError), session.batch("label then fail"):
        session.apply_label(DOC, *FIRST, "FACT")
        session.apply_label(DOC, *SECOND, "NOPE")
    assert len(reopen(session, db)) == 1
    assert session.undo().description == "label then fail"
    assert reopen(session, db) == []


def test_a_batch_inside_a_batch_joins_it(session: AnnotationSession, db: Path) -> None:
    with session.batch("outer"):
        session.apply_label(DOC, *FIRST, "FACT")
        with session.batch("inner"):
            session.apply_label(DOC, *SECOND, "OPINION")
    assert session.undo().description == "outer"
    assert reopen(session, db) == [] and not session.can_undo


def test_a_failed_write_during_a_batch_undo_keeps_the_rest_to_retry(
    session: AnnotationSession, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk fills after one of the batch's writes is undone: what was undone is
    undone, the rest stays on the undo stack, and undo (then redo) still works."""
    from reader.store import StoreError

    with session.batch("two claims"):
        session.apply_label(DOC, *FIRST, "FACT")
        session.apply_label(DOC, *SECOND, "OPINION")
    real_remove = session.store.remove
    calls = []

    def fills_up(*args: object) -> None:
        calls.append(args)
        if len(calls) > 1:
            raise StoreError("ann.json: cannot write (No space left on device)")
        real_remove(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(session.store, "remove", fills_up)
    with pytest.raises(StoreError):
        session.undo()
    monkeypatch.setattr(session.store, "remove", real_remove)
    assert [a.label for a in reopen(session, db)] == ["FACT"]  # the second one went
    assert session.can_undo and session.can_redo
    assert session.undo().description == "two claims"
    assert reopen(session, db) == [] and not session.can_undo
    session.redo()
    session.redo()
    assert [a.label for a in reopen(session, db)] == ["FACT", "OPINION"]


def test_stance_defaults_offer_the_groups_targets_and_keep_a_given_holder(
    session: AnnotationSession,
) -> None:
    from reader.annotate.session import stance_defaults, stance_targets

    schema = session.schema
    fresh = stance_defaults(schema, [], *FIRST, speaker="the director")
    assert fresh.targets == stance_targets(schema) and fresh.holder == "the director"
    stance_label = next(label.name for label in schema.labels if label.kind == "stance")
    given = session.add(DOC, *FIRST, "stance", stance_label, target="rents", holder="Officials")
    again = stance_defaults(schema, [given], *FIRST, stance_label, speaker="the director")
    assert again.holder == "Officials"  # the holder already given on this span
    assert again.targets == stance_targets(schema, stance_label)
    elsewhere = stance_defaults(schema, [given], *SECOND, speaker="the director")
    assert elsewhere.holder == "the director"
