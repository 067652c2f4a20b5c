"""Pilot tests of the annotation keys, each checked against what is in the store on disk
afterwards (reopened read-only, as another process would see it)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pilot_support import annotating, reading
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Static

from reader.annotate.annotations import Annotation
from reader.annotate.schema import default_schema, parse_schema
from reader.annotate.session import AnnotationSession
from reader.corpus import Corpus, load_corpus
from reader.store import AnnotationStore
from reader.ui.app import make_app
from reader.ui.screens.prompts import NotePrompt, StancePrompt
from reader.ui.screens.reading import ReadingScreen
from reader.ui.widgets.annotation_list import AnnotationList
from reader.ui.widgets.article_view import ArticleView
from reader.ui.widgets.document_list import DocumentList
from reader.ui.widgets.status_line import StatusLine


def on_disk(db: Path) -> list[Annotation]:
    """What another process finds in the store file right now."""
    with AnnotationStore.open(db, read_only=True) as store:
        return list(store)


def status(pilot: Pilot) -> str:
    return str(reading(pilot).query_one(StatusLine).render())


def sentence(pilot: Pilot) -> tuple[int, int, str]:
    span = reading(pilot).state.sentence
    assert span is not None
    return span.start, span.end, reading(pilot).document.text[span.start : span.end]


async def test_digit_labels_the_sentence_and_saves_it(seed_corpus: Corpus, tmp_path: Path) -> None:
    db = tmp_path / "alice.json"
    async with annotating(seed_corpus, db) as pilot:
        await pilot.press("j", "j")
        start, end, text = sentence(pilot)
        await pilot.press("1")
        await pilot.pause()
        assert "saved: FACT" in status(pilot)
        stored = on_disk(db)
        assert [(a.start, a.end, a.label, a.kind, a.text) for a in stored] == [
            (start, end, "FACT", "claim", text)
        ]
        assert stored[0].annotator == "alice"
        assert stored[0].doc_id == reading(pilot).document.id
        # Another label key on the same span relabels it, not a second annotation.
        await pilot.press("2")
        await pilot.pause()
        assert [(a.start, a.end, a.label) for a in on_disk(db)] == [(start, end, "OPINION")]
        # The gutter shows a mark on the annotated lines.
        view = reading(pilot).query_one(ArticleView)
        gutter_marks = [y for y in range(view.size.height) if "▌" in view.render_line(y).text]
        assert gutter_marks


async def test_selection_narrows_and_widens_the_span(seed_corpus: Corpus, tmp_path: Path) -> None:
    db = tmp_path / "alice.json"
    async with annotating(seed_corpus, db) as pilot:
        await pilot.press("j", "j")
        start, end, text = sentence(pilot)
        first_word = text.split()[0]
        await pilot.press("v")
        assert "selecting 1 words" in status(pilot)
        await pilot.press("l", "l", "h")  # two words forward, one back: two words
        await pilot.press("3")
        await pilot.pause()
        [annotation] = on_disk(db)
        assert annotation.start == start
        assert annotation.text.split() == text.split()[:2]
        assert annotation.text.startswith(first_word)
        assert annotation.label == "PREDICTION"
        # v then J widens to the end of the next sentence; Esc cancels a selection.
        await pilot.press("v", "J")
        state = reading(pilot).state
        assert state.selection is not None
        next_end = state.sentences.ends[state.cursor + 1]
        assert state.selection.span.end == next_end
        await pilot.press("escape")
        assert reading(pilot).state.selection is None
        await pilot.press("v", "J", "4")
        await pilot.pause()
        spans = sorted((a.start, a.end, a.label) for a in on_disk(db))
        assert (start, next_end, "OTHER") in spans and len(spans) == 2


async def test_tab_to_a_quote_labels_the_quote(seed_corpus: Corpus, tmp_path: Path) -> None:
    db = tmp_path / "alice.json"
    async with annotating(seed_corpus, db) as pilot:
        await pilot.press("tab")
        quote = reading(pilot).state.focused_span
        assert quote is not None
        await pilot.press("2")
        await pilot.pause()
        [annotation] = on_disk(db)
        assert (annotation.start, annotation.end) == (quote.start, quote.end)


async def test_delete_undo_redo_match_the_store(seed_corpus: Corpus, tmp_path: Path) -> None:
    db = tmp_path / "alice.json"
    async with annotating(seed_corpus, db) as pilot:
        await pilot.press("j", "1", "j", "2")
        await pilot.pause()
        assert sorted(a.label for a in on_disk(db)) == ["FACT", "OPINION"]
        await pilot.press("x")  # the annotation under the cursor (OPINION)
        await pilot.pause()
        assert [a.label for a in on_disk(db)] == ["FACT"]
        assert "deleted OPINION" in status(pilot)
        await pilot.press("u")
        await pilot.pause()
        assert sorted(a.label for a in on_disk(db)) == ["FACT", "OPINION"]
        await pilot.press("u", "u")  # undo the restore... then the FACT label
        await pilot.pause()
        assert on_disk(db) == []
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert [a.label for a in on_disk(db)] == ["FACT"]
        assert "redid" in status(pilot)
        await pilot.press("u", "u", "u", "u")
        await pilot.pause()
        assert on_disk(db) == []
        assert "nothing to undo" in status(pilot)


async def test_note_is_added_edited_and_cleared(seed_corpus: Corpus, tmp_path: Path) -> None:
    db = tmp_path / "alice.json"
    async with annotating(seed_corpus, db) as pilot:
        await pilot.press("j", "1", "semicolon")
        await pilot.pause()
        assert isinstance(pilot.app.screen, NotePrompt)
        await pilot.press(*"check the figure", "enter")
        await pilot.pause()
        assert [a.note for a in on_disk(db)] == ["check the figure"]
        await pilot.press("semicolon")
        await pilot.pause()
        await pilot.press("escape")  # cancelled: nothing changes
        await pilot.pause()
        assert [a.note for a in on_disk(db)] == ["check the figure"]
        await pilot.press("semicolon", "ctrl+u", "enter")
        await pilot.pause()
        assert [a.note for a in on_disk(db)] == [""]


async def test_note_without_annotation_says_so(seed_corpus: Corpus, tmp_path: Path) -> None:
    db = tmp_path / "alice.json"
    async with annotating(seed_corpus, db) as pilot:
        await pilot.press("semicolon", "x")
        await pilot.pause()
        assert not isinstance(pilot.app.screen, NotePrompt)
        assert "no annotation here" in status(pilot)


async def test_stance_on_a_quote_defaults_holder_to_speaker(
    seed_corpus: Corpus, tmp_path: Path
) -> None:
    db = tmp_path / "alice.json"
    async with annotating(seed_corpus, db) as pilot:
        screen = reading(pilot)
        # The first quote that has a speaker.
        for _ in range(20):
            await pilot.press("tab")
            quote = screen.state.cursor_quote()
            if quote is not None and quote.speaker is not None:
                break
        assert quote is not None and quote.speaker is not None
        speaker = quote.speaker.resolved or quote.speaker.text
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(pilot.app.screen, StancePrompt)
        await pilot.press("a")  # AGAINST, one key
        await pilot.press(*"the ceasefire", "enter")
        await pilot.pause()
        [annotation] = on_disk(db)
        assert (annotation.kind, annotation.label) == ("stance", "AGAINST")
        assert annotation.target == "the ceasefire"
        assert annotation.holder == speaker
        assert (annotation.start, annotation.end) == (quote.start, quote.end)


async def test_stance_targets_from_the_schema_filter_as_typed(
    seed_corpus: Corpus, tmp_path: Path
) -> None:
    schema = (
        '[groups.stance]\nkind = "stance"\ntargets = ["ceasefire", "sanctions", "elections"]\n'
        '[[groups.stance.labels]]\nname = "PRO"\nkey = "p"\n'
        '[[groups.stance.labels]]\nname = "CON"\nkey = "c"\n'
    )
    db = tmp_path / "alice.json"
    async with annotating(seed_corpus, db, parse_schema(schema)) as pilot:
        await pilot.press("j", "c")  # a stance key opens the prompt with CON chosen
        await pilot.pause()
        assert isinstance(pilot.app.screen, StancePrompt)
        await pilot.press(*"sanc", "enter")
        await pilot.pause()
        [annotation] = on_disk(db)
        assert (annotation.label, annotation.target, annotation.holder) == (
            "CON",
            "sanctions",
            None,
        )
        # The same target again changes that stance; a new target adds another.
        await pilot.press("s", "p", "enter")  # p, then the list's first: ceasefire
        await pilot.pause()
        assert sorted((a.label, a.target) for a in on_disk(db)) == [
            ("CON", "sanctions"),
            ("PRO", "ceasefire"),
        ]
        await pilot.press("s", "p", *"sanctions", "enter")
        await pilot.pause()
        assert sorted((a.label, a.target) for a in on_disk(db)) == [
            ("PRO", "ceasefire"),
            ("PRO", "sanctions"),
        ]


async def test_escape_cancels_the_stance_prompt(seed_corpus: Corpus, tmp_path: Path) -> None:
    db = tmp_path / "alice.json"
    async with annotating(seed_corpus, db) as pilot:
        await pilot.press("s", "f", *"x", "escape")
        await pilot.pause()
        assert isinstance(pilot.app.screen, ReadingScreen)
        assert on_disk(db) == []
        assert "stance cancelled" in status(pilot)


async def test_annotation_panel_lists_and_jumps(seed_corpus: Corpus, tmp_path: Path) -> None:
    db = tmp_path / "alice.json"
    async with annotating(seed_corpus, db) as pilot:
        await pilot.press("j", "j", "1", "G", "2", "g")
        await pilot.pause()
        await pilot.press("L")
        await pilot.pause()
        panel = reading(pilot).query_one(AnnotationList)
        assert panel.display and panel.option_count == 2
        assert "FACT" in str(panel.get_option_at_index(0).prompt)
        await pilot.press("down", "enter")
        await pilot.pause()
        assert not panel.display
        opinion = next(a for a in on_disk(db) if a.label == "OPINION")
        selection = reading(pilot).state.selection
        assert selection is not None
        assert (selection.span.start, selection.span.end) == (opinion.start, opinion.end)


async def test_document_list_marks_annotated_documents(
    article_folder: Path, tmp_path: Path
) -> None:
    corpus = load_corpus([article_folder])
    db = tmp_path / "alice.json"
    async with annotating(corpus, db) as pilot:
        await pilot.press("1")
        await pilot.pause()
        documents = reading(pilot).query_one(DocumentList)
        assert documents.annotated == {0}
        assert documents.border_subtitle == "annotated 1/3"
        assert "annotated 1/3" in status(pilot)
        await pilot.press("right_parenthesis")  # the next unannotated document
        assert reading(pilot).index == 1
        await pilot.press("1", "right_parenthesis")
        assert reading(pilot).index == 2
        await pilot.press("1", "right_parenthesis")
        assert reading(pilot).index == 2
        assert "every other document has annotations" in status(pilot)


async def test_annotations_are_shown_again_after_restart(
    seed_corpus: Corpus, tmp_path: Path
) -> None:
    db = tmp_path / "alice.json"
    async with annotating(seed_corpus, db) as pilot:
        await pilot.press("j", "1")
        await pilot.pause()
    async with annotating(seed_corpus, db) as pilot:
        screen = reading(pilot)
        assert [m.label for m in screen.state.marks] == ["FACT"]
        assert "1 annotation" in status(pilot)


async def test_a_failed_save_says_not_saved(
    seed_corpus: Corpus, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reader.store import StoreError

    db = tmp_path / "alice.json"
    async with annotating(seed_corpus, db) as pilot:
        store = reading(pilot).session.store  # type: ignore[union-attr]

        def disk_full(*args: object, **kwargs: object) -> None:
            raise StoreError(f"{db}: cannot save (No space left on device)")

        monkeypatch.setattr(store, "put", disk_full)
        await pilot.press("j", "1")
        await pilot.pause()
        assert "NOT saved" in status(pilot)
        assert reading(pilot).state.marks.spans == []
        assert reading(pilot).session.can_undo is False  # type: ignore[union-attr]


async def test_without_a_store_label_keys_explain(seed_corpus: Corpus) -> None:
    app = make_app(seed_corpus)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("1")
        assert "no store is open" in status(pilot)


async def test_a_label_key_pressed_before_the_store_opened_is_saved(
    seed_corpus: Corpus, tmp_path: Path
) -> None:
    """The CLI opens the store just after the first paint; a key that comes first opens it."""
    db = tmp_path / "alice.json"
    opened: list[AnnotationStore] = []

    def open_session() -> AnnotationSession:
        opened.append(AnnotationStore.open(db, "alice"))
        return AnnotationSession(opened[-1], "alice", default_schema())

    app = make_app(seed_corpus, open_session=open_session)
    try:
        async with app.run_test(size=(110, 36)) as pilot:
            assert app.session is None  # the first refresh has not come yet
            app.reading.action_label(0)
            await pilot.pause()
            assert len(opened) == 1
            assert "saved: FACT" in status(pilot)
            await pilot.press("j", "2")
            await pilot.pause()
        assert len(opened) == 1  # opened once
    finally:
        for store in opened:
            store.close()
    assert sorted(a.label for a in on_disk(db)) == ["FACT", "OPINION"]


async def test_a_locked_store_stops_the_app_with_the_reason(
    seed_corpus: Corpus, tmp_path: Path
) -> None:
    from reader.store import StoreLockedError

    def open_session() -> AnnotationSession:
        raise StoreLockedError(f"{tmp_path / 'alice.json'}: locked by another reader process")

    app = make_app(seed_corpus, open_session=open_session)
    async with app.run_test(size=(110, 36)) as pilot:
        await pilot.pause()
    assert app.return_code == 2
    assert isinstance(app.startup_error, StoreLockedError)


async def test_stance_prompt_tab_goes_to_the_holder_and_saves_both(
    seed_corpus: Corpus, tmp_path: Path
) -> None:
    """`j f` `Iran` `Tab` `Khamenei` `Enter`: target Iran and holder Khamenei, as shown."""
    db = tmp_path / "alice.json"
    async with annotating(seed_corpus, db) as pilot:
        await pilot.press("j", "f")
        await pilot.pause()
        prompt = pilot.app.screen
        assert isinstance(prompt, StancePrompt)
        target, holder = prompt.query_one("#target", Input), prompt.query_one("#holder", Input)
        assert target.has_focus
        await pilot.press(*"Iran", "tab")
        assert holder.has_focus, "Tab went somewhere other than the holder"
        await pilot.press(*"Khamenei")
        preview = str(prompt.query_one("#prompt-preview", Static).render())
        assert "FAVOR → Iran" in preview and "holder: Khamenei" in preview
        await pilot.press("tab")
        assert target.has_focus  # and back
        await pilot.press("tab", "enter")
        await pilot.pause()
        [annotation] = on_disk(db)
        assert (annotation.label, annotation.target, annotation.holder) == (
            "FAVOR",
            "Iran",
            "Khamenei",
        )
        assert "saved: FAVOR → Iran" in status(pilot)


async def test_stance_prompt_shows_which_field_has_focus(
    seed_corpus: Corpus, tmp_path: Path
) -> None:
    db = tmp_path / "alice.json"
    async with annotating(seed_corpus, db) as pilot:
        await pilot.press("j", "f")
        await pilot.pause()
        prompt = pilot.app.screen
        target_name = prompt.query_one("#target-field .field-name", Static)
        holder_name = prompt.query_one("#holder-field .field-name", Static)
        focused_style = target_name.rich_style
        assert holder_name.rich_style != focused_style
        await pilot.press("tab")
        for _ in range(50):  # the focus moves first, the styles follow on a later refresh
            if holder_name.rich_style == focused_style:
                break
            await pilot.pause()
        assert holder_name.rich_style == focused_style
        assert target_name.rich_style != focused_style


async def test_stance_prompt_with_200000_targets_shows_a_screenful(
    seed_corpus: Corpus, tmp_path: Path
) -> None:
    targets = ", ".join(f'"target {n}"' for n in range(200_000))
    schema = (
        f'[groups.stance]\nkind = "stance"\ntargets = [{targets}]\n'
        '[[groups.stance.labels]]\nname = "PRO"\nkey = "p"\n'
    )
    db = tmp_path / "alice.json"
    async with annotating(seed_corpus, db, parse_schema(schema)) as pilot:
        await pilot.press("j", "p")
        await pilot.pause()
        prompt = pilot.app.screen
        assert isinstance(prompt, StancePrompt)
        options = prompt.query_one("#targets", OptionList)
        assert options.option_count <= 10
        await pilot.press(*"199999")
        shown = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert shown == ["new: 199999", "target 199999"]
        await pilot.press("enter")
        await pilot.pause()
        assert [a.target for a in on_disk(db)] == ["target 199999"]


async def two_on_one_span(pilot: Pilot, db: Path) -> list[Annotation]:
    """FACT and a FAVOR stance on the same (second) sentence."""
    await pilot.press("j", "1", "f", *"Iran", "enter")
    await pilot.pause()
    found = on_disk(db)
    assert sorted(a.label for a in found) == ["FACT", "FAVOR"]
    assert len({(a.start, a.end) for a in found}) == 1
    return found


async def test_delete_with_two_annotations_on_the_span_asks_which(
    seed_corpus: Corpus, tmp_path: Path
) -> None:
    from reader.ui.screens.prompts import ChoicePrompt

    db = tmp_path / "alice.json"
    async with annotating(seed_corpus, db) as pilot:
        await two_on_one_span(pilot, db)
        shown = [a.label for a in reading(pilot)._annotations]
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(pilot.app.screen, ChoicePrompt), "x guessed which one to delete"
        await pilot.press("escape")  # cancelled: nothing deleted
        await pilot.pause()
        assert len(on_disk(db)) == 2
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("2")
        await pilot.pause()
        assert [a.label for a in on_disk(db)] == [shown[0]]
        assert f"deleted {shown[1]}" in status(pilot)


async def test_note_with_two_annotations_on_the_span_asks_which(
    seed_corpus: Corpus, tmp_path: Path
) -> None:
    from reader.ui.screens.prompts import ChoicePrompt

    db = tmp_path / "alice.json"
    async with annotating(seed_corpus, db) as pilot:
        await two_on_one_span(pilot, db)
        await pilot.press("semicolon")
        await pilot.pause()
        assert isinstance(pilot.app.screen, ChoicePrompt), "; guessed which one to annotate"
        choices = str(pilot.app.screen.query_one("#choices", Static).render())
        second = reading(pilot)._annotations[1]
        assert second.label in choices.splitlines()[1]
        await pilot.press("2")
        await pilot.pause()
        assert isinstance(pilot.app.screen, NotePrompt)
        await pilot.press(*"checked", "enter")
        await pilot.pause()
        notes = {a.label: a.note for a in on_disk(db)}
        assert notes == {second.label: "checked", reading(pilot)._annotations[0].label: ""}


async def test_delete_acts_on_the_annotation_chosen_in_the_list(
    seed_corpus: Corpus, tmp_path: Path
) -> None:
    db = tmp_path / "alice.json"
    async with annotating(seed_corpus, db) as pilot:
        await two_on_one_span(pilot, db)
        listed = [a.label for a in reading(pilot)._annotations]
        await pilot.press("L", "down", "enter")  # the second in the list
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(pilot.app.screen, ReadingScreen)  # no question: it was chosen
        assert [a.label for a in on_disk(db)] == [listed[0]]


def backgrounds(view: ArticleView, start: int, end: int) -> dict[int, object]:
    """The background colour of every character `start:end`, as the view paints it."""
    found: dict[int, object] = {}
    offset = start
    for segment in view._text_segments(start, end, 1):
        for _ in segment.text:
            found[offset] = segment.style.bgcolor if segment.style else None
            offset += 1
    return found


async def test_annotation_tint_and_cursor_show_under_entities(
    seed_corpus: Corpus, tmp_path: Path
) -> None:
    db = tmp_path / "alice.json"
    async with annotating(seed_corpus, db) as pilot:
        await pilot.press("j")
        start, end, _ = sentence(pilot)
        state = reading(pilot).state
        entity = next(e for e in state.entities.overlapping(start, end) if e.start > start)
        view = reading(pilot).query_one(ArticleView)
        plain = next(
            i
            for i in range(start, end)
            if state.text[i] != " "
            and not any(e.start <= i < e.end for e in state.entities.overlapping(i, i + 1))
        )
        # The cursor's background is on the entity too.
        paint = backgrounds(view, start, end)
        assert paint[entity.start] == paint[plain] == paint[entity.end - 1]
        await pilot.press("1")
        await pilot.pause()
        await pilot.press("j")  # the cursor leaves: the tint alone
        await pilot.pause()
        paint = backgrounds(view, start, end)
        outside = backgrounds(view, end + 1, end + 2)
        assert paint[plain] != next(iter(outside.values()))
        assert paint[entity.start] == paint[plain] == paint[entity.end - 1], (
            "the entity hides the annotation's tint"
        )


async def test_the_entity_under_the_cursor_shows_its_type(
    seed_corpus: Corpus, tmp_path: Path
) -> None:
    async with annotating(seed_corpus, tmp_path / "alice.json") as pilot:
        await pilot.press("e")
        entity = reading(pilot).state.focused_span
        assert entity is not None
        line = str(reading(pilot).query_one("#quote-info", Static).render())
        kinds = {"PERSON": "person", "ORG": "organisation", "GPE": "place", "LOC": "place"}
        assert f"Entity: {entity.text}" in line
        assert kinds.get(entity.label, entity.label) in line


async def test_every_copy_of_an_annotated_article_is_marked(tmp_path: Path) -> None:
    """The same text twice in a corpus is one document (one id): both copies are marked,
    and `)` skips both."""
    corpus_file = tmp_path / "corpus.jsonl"
    texts = ["Same story.\nThe port reopened.\n", "Other story.\nThe rail strike ended.\n"]
    corpus_file.write_text(
        "".join(json.dumps({"text": t}) + "\n" for t in (texts[0], texts[1], texts[0])),
        encoding="utf-8",
    )
    db = tmp_path / "alice.json"
    async with annotating(load_corpus([corpus_file]), db) as pilot:
        await pilot.press("1")
        await pilot.pause()
        documents = reading(pilot).query_one(DocumentList)
        assert documents.annotated == {0, 2}
        await pilot.press("right_parenthesis")
        assert reading(pilot).index == 1


async def test_a_message_stays_up_when_the_screen_redraws(
    seed_corpus: Corpus, tmp_path: Path
) -> None:
    """A message such as "no annotation here" used to vanish at the next redraw (highlights
    arriving) or when an earlier `saved:` message's timer fired; it stays up as `saved:` does."""
    async with annotating(seed_corpus, tmp_path / "alice.json") as pilot:
        await pilot.press("j", "1")
        await pilot.pause()
        assert "saved: FACT" in status(pilot)
        await pilot.press("j", "x")
        await pilot.pause()
        assert "no annotation here" in status(pilot)
        reading(pilot).refresh_panels()  # what analysis results arriving do
        assert "no annotation here" in status(pilot)
