"""Entity and quote suggestions in the app (`reader --suggest`): Pilot tests of accept
(Enter / y), reject (n, still rejected after reopening), relabel (a label key), fixing the
ends (v, h/l, Enter), `A` for the whole sentence and undo of each, every one checked in the
store on disk; and a quote made by hand (v … 0)."""

from __future__ import annotations

from pathlib import Path

from pilot_support import annotating, reading
from textual.pilot import Pilot

from reader.annotate.annotations import Annotation
from reader.annotate.rejections import rejections_path
from reader.annotate.schema import parse_schema
from reader.annotate.session import AnnotationSession
from reader.corpus import Corpus, Document
from reader.store import AnnotationStore

TEXT = (
    "Angela Merkel met officials in Paris on Monday. “We will not give up,” said John "
    "Smith, a spokesman for the United Nations. The French government agreed with Germany.\n"
)
QUOTE = "“We will not give up,”"


def corpus() -> Corpus:
    return Corpus([Document(TEXT, "Talks", "talks.txt")])


def span(words: str) -> tuple[int, int]:
    start = TEXT.index(words)
    return start, start + len(words)


def on_disk(db: Path) -> list[tuple[str, str, str, str | None]]:
    """(text, kind, label, source) of each stored annotation, in text order."""
    with AnnotationStore.open(db, read_only=True) as store:
        found = sorted(store, key=lambda a: (a.start, a.end))
    return [(a.text, a.kind, a.label, a.source) for a in found]


def stored(db: Path) -> list[Annotation]:
    with AnnotationStore.open(db, read_only=True) as store:
        return list(store)


def suggested(pilot: Pilot) -> list[tuple[str, str, str]]:
    return [(TEXT[s.start : s.end], s.kind, s.label) for s in reading(pilot)._span_suggestions]


async def press(pilot: Pilot, *keys: str) -> None:
    await pilot.press(*keys)
    await pilot.pause()


async def test_the_engines_entities_and_quote_are_suggested(tmp_path: Path) -> None:
    async with annotating(corpus(), tmp_path / "a.json", suggest=True) as pilot:
        assert suggested(pilot) == [
            ("Angela Merkel", "entity", "PERSON"),
            ("Paris", "entity", "GPE"),
            (QUOTE, "quote", "QUOTE"),
            ("John Smith", "entity", "PERSON"),
            ("United Nations", "entity", "ORG"),
            ("French", "entity", "NORP"),
            ("Germany", "entity", "GPE"),
        ]
        marks = reading(pilot).article.suggested
        assert {(m.start, m.end, m.key) for m in marks} >= {(*span("Paris"), "entity")}
        await press(pilot, "e")
        info = str(reading(pilot).query_one("#quote-info").render())
        assert "Suggested: PERSON (entity)" in info
        await press(pilot, "S")  # off: none shown, Enter accepts nothing
        assert suggested(pilot) == [] and len(reading(pilot).article.suggested) == 0
        await press(pilot, "enter")
        await press(pilot, "S")
        assert ("Angela Merkel", "entity", "PERSON") in suggested(pilot)
    assert on_disk(tmp_path / "a.json") == []  # nothing is saved until a key says so


async def test_enter_accepts_the_focused_entity_and_u_takes_it_back(tmp_path: Path) -> None:
    db = tmp_path / "a.json"
    async with annotating(corpus(), db, suggest=True) as pilot:
        await press(pilot, "e", "enter")
        assert on_disk(db) == [("Angela Merkel", "entity", "PERSON", "suggested")]
        assert ("Angela Merkel", "entity", "PERSON") not in suggested(pilot)
        await press(pilot, "u")
        assert on_disk(db) == []
        assert ("Angela Merkel", "entity", "PERSON") in suggested(pilot)


async def test_y_accepts_the_quote_with_its_speaker(tmp_path: Path) -> None:
    db = tmp_path / "a.json"
    async with annotating(corpus(), db, suggest=True) as pilot:
        await press(pilot, "tab", "y")
        (quote,) = stored(db)
        assert (quote.text, quote.kind, quote.label, quote.source) == (
            QUOTE,
            "quote",
            "QUOTE",
            "suggested",
        )
        assert quote.speaker is not None
        assert (quote.speaker.start, quote.speaker.end) == span("John Smith")
        assert quote.to_json()["speaker"]["text"] == "John Smith"
        await press(pilot, "u")
        assert stored(db) == []


async def test_n_rejects_for_good_and_leaves_the_store_alone(tmp_path: Path) -> None:
    db = tmp_path / "a.json"
    async with annotating(corpus(), db, suggest=True) as pilot:
        await press(pilot, "e", "e", "n")
        assert ("Paris", "entity", "GPE") not in suggested(pilot)
        assert on_disk(db) == []
    assert rejections_path(db).exists()
    async with annotating(corpus(), db, suggest=True) as pilot:  # reopened: still rejected
        assert ("Paris", "entity", "GPE") not in suggested(pilot)
        assert ("Angela Merkel", "entity", "PERSON") in suggested(pilot)
    assert on_disk(db) == []


async def test_u_takes_a_rejection_back_and_ctrl_r_rejects_again(tmp_path: Path) -> None:
    db = tmp_path / "a.json"
    async with annotating(corpus(), db, suggest=True) as pilot:
        await press(pilot, "e", "e", "n")
        assert ("Paris", "entity", "GPE") not in suggested(pilot)
        await press(pilot, "u")
        assert ("Paris", "entity", "GPE") in suggested(pilot)
        assert "entity" not in rejections_path(db).read_text()  # saved before it is shown
        await press(pilot, "ctrl+r")
        assert ("Paris", "entity", "GPE") not in suggested(pilot)
        assert '"entity"' in rejections_path(db).read_text()
        assert on_disk(db) == []


async def test_a_label_key_relabels_the_suggestion(tmp_path: Path) -> None:
    db = tmp_path / "a.json"
    async with annotating(corpus(), db, suggest=True) as pilot:
        await press(pilot, "e", "e", "8")  # Paris, suggested GPE, saved as LOC
        assert on_disk(db) == [("Paris", "entity", "LOC", "corrected")]
        assert ("Paris", "entity", "GPE") not in suggested(pilot)
        await press(pilot, "u")
        assert on_disk(db) == []


async def test_v_fixes_the_ends_before_saving(tmp_path: Path) -> None:
    db = tmp_path / "a.json"
    async with annotating(corpus(), db, suggest=True) as pilot:
        screen = reading(pilot)
        while (
            screen.state.focused_span is None
            or screen.state.focused_span.start != span("John Smith")[0]
        ):
            await press(pilot, "e")
        await press(pilot, "v")
        selection = screen.state.selection
        assert selection is not None and (selection.span.start, selection.span.end) == span(
            "John Smith"
        )
        await press(pilot, "h", "enter")  # the end back a word: "John"
        assert on_disk(db) == [("John", "entity", "PERSON", "corrected")]
        await press(pilot, "u")
        assert on_disk(db) == []


async def test_a_fixed_quote_with_a_label_key_keeps_its_speaker(tmp_path: Path) -> None:
    db = tmp_path / "a.json"
    async with annotating(corpus(), db, suggest=True) as pilot:
        await press(pilot, "tab", "v", "l", "0")  # the quote and the word after it
        (quote,) = stored(db)
        assert (quote.text, quote.source) == (QUOTE + " said", "corrected")
        assert quote.speaker is not None and quote.speaker.text == "John Smith"


async def test_capital_a_accepts_the_sentence_in_one_undo_step(tmp_path: Path) -> None:
    db = tmp_path / "a.json"
    async with annotating(corpus(), db, suggest=True) as pilot:
        await press(pilot, "j")
        claim = reading(pilot)._suggestion_here()  # the claim model's, if it suggests one
        await press(pilot, "A")
        made = [row for row in on_disk(db) if row[1] != "claim"]
        assert made == [
            (QUOTE, "quote", "QUOTE", "suggested"),
            ("John Smith", "entity", "PERSON", "suggested"),
            ("United Nations", "entity", "ORG", "suggested"),
        ]
        claims = [row for row in on_disk(db) if row[1] == "claim"]
        sentence = TEXT[TEXT.index("“") : TEXT.index("Nations.") + len("Nations.")]
        assert claims == ([(sentence, "claim", claim.label, "suggested")] if claim else [])
        assert ("Angela Merkel", "entity", "PERSON") in suggested(pilot)  # other sentences
        await press(pilot, "u")
        assert on_disk(db) == []


async def test_an_annotation_already_there_is_not_suggested(tmp_path: Path) -> None:
    def before(session: AnnotationSession) -> None:
        session.add(corpus().documents[0], *span("Paris"), "entity", "LOC")

    async with annotating(corpus(), tmp_path / "a.json", before=before, suggest=True) as pilot:
        assert ("Paris", "entity", "GPE") not in suggested(pilot)
        assert ("Germany", "entity", "GPE") in suggested(pilot)


async def test_without_entity_or_quote_groups_nothing_of_them_is_suggested(
    tmp_path: Path,
) -> None:
    schema = parse_schema(
        '[groups.c]\nkind = "claim"\n[[groups.c.labels]]\nname = "FACT"\nkey = "1"\n'
    )
    db = tmp_path / "a.json"
    async with annotating(corpus(), db, schema, suggest=True) as pilot:
        assert reading(pilot)._span_suggestions == []
        await press(pilot, "e", "enter")
        assert [row for row in on_disk(db) if row[1] != "claim"] == []
    assert not rejections_path(db).exists()


async def test_a_renamed_label_with_a_tag_receives_the_engines_type(tmp_path: Path) -> None:
    schema = parse_schema(
        '[groups.who]\nkind = "entity"\n[[groups.who.labels]]\nname = "Person"\n'
        'key = "5"\ntag = "PERSON"\n'
    )
    db = tmp_path / "a.json"
    async with annotating(corpus(), db, schema, suggest=True) as pilot:
        assert {label for _, _, label in suggested(pilot)} == {"Person"}
        await press(pilot, "e", "y")
        assert on_disk(db) == [("Angela Merkel", "entity", "Person", "suggested")]


async def test_v_then_0_makes_a_quote_by_hand_without_a_speaker(tmp_path: Path) -> None:
    db = tmp_path / "a.json"
    text = TEXT + "\nThe French government agreed with Germany.\n"  # no one to say it there
    two_paragraphs = Corpus([Document(text, "Talks", "talks.txt")])
    async with annotating(two_paragraphs, db) as pilot:  # no suggestions
        await press(pilot, "J", "v", "l", "0")
        (quote,) = stored(db)
        assert (quote.text, quote.kind, quote.label) == ("The French", "quote", "QUOTE")
        assert quote.speaker is None and quote.source is None


async def test_a_quote_by_hand_asks_who_says_it_among_the_paragraphs_people(
    tmp_path: Path,
) -> None:
    db = tmp_path / "a.json"
    async with annotating(corpus(), db) as pilot:
        await press(pilot, "j", "v", "l", "l", "l", "l", "0")
        prompt = pilot.app.screen
        assert [str(c) for c in prompt.choices] == [
            "John Smith",  # nearest first
            "Angela Merkel",
            "United Nations",
            "(no speaker)",
        ]
        assert stored(db) == []  # nothing saved before the choice
        await press(pilot, "1")
        (quote,) = stored(db)
        assert (quote.text, quote.kind, quote.label) == ("We will not give up", "quote", "QUOTE")
        assert quote.speaker is not None
        assert (quote.speaker.start, quote.speaker.end) == span("John Smith")
        await press(pilot, "u")
        assert stored(db) == []
        await press(pilot, "v", "l", "0", "escape")  # Esc: nothing saved
        assert stored(db) == []
        await press(pilot, "v", "l", "0", "4")  # the last choice: no speaker
        (quote,) = stored(db)
        assert quote.text == "We will" and quote.speaker is None
