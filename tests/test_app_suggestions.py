"""Claim suggestions in the app (`reader --suggest`): Pilot tests of accept (Enter / y),
reject (n), relabel (a label key), undo and redo (of the label and of what the learner
learned) and the S toggle, each checked in the store on disk and in the learned state saved
beside it; and the record's optional `source`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from pilot_support import annotating, reading, until
from textual.pilot import Pilot
from textual.widgets import Static

from reader.annotate.annotations import (
    Annotation,
    AnnotationError,
    make_annotation,
    normalise_record,
    record_problem,
    records_sound,
)
from reader.annotate.schema import default_schema
from reader.annotate.session import AnnotationSession
from reader.claims.learner import ClaimLearner, claim_label_groups
from reader.claims.persist import encode, load_learner, state_path
from reader.corpus import Corpus, Document
from reader.store import AnnotationStore
from reader.ui.app import make_app
from reader.ui.widgets.article_view import ArticleView

SPEECH = (
    "Good evening, everyone. Unemployment fell to 3.5 percent in 2019, the lowest rate in "
    "50 years. Thank you very much. The city spent 40 million dollars on roads last year. "
    "I think we should all be kind. Crime rose by 12 percent since 2015.\n"
)
CLAIMS = [
    "Unemployment fell to 3.5 percent in 2019, the lowest rate in 50 years.",
    "The city spent 40 million dollars on roads last year.",
    "Crime rose by 12 percent since 2015.",
]


def corpus() -> Corpus:
    return Corpus([Document(SPEECH, "Speech", "speech.txt")])


def span_of(sentence: str) -> tuple[int, int]:
    start = SPEECH.index(sentence)
    return start, start + len(sentence)


def on_disk(db: Path) -> list[Annotation]:
    with AnnotationStore.open(db, read_only=True) as store:
        return list(store)


def suggested(pilot: Pilot) -> list[str]:
    return [SPEECH[s.start : s.end] for s in reading(pilot)._suggestions]


@asynccontextmanager
async def suggesting(db: Path, suggest: bool = True) -> AsyncIterator[Pilot]:
    store = AnnotationStore.open(db, "alice")
    try:
        session = AnnotationSession(store, "alice", default_schema())
        app = make_app(corpus(), session=session, suggest=suggest)
        async with app.run_test(size=(110, 36)) as pilot:
            screen = reading(pilot)
            await until(pilot, lambda: screen.document.id in screen._analyses, "the analysis")
            if suggest:
                await until(pilot, lambda: len(reading(pilot)._suggestions) > 0, "suggestions")
            yield pilot
    finally:
        store.close()


async def to(pilot: Pilot, sentence: str) -> None:
    """Move the cursor down to `sentence`."""
    while reading(pilot).state.sentence_text != sentence:
        await pilot.press("j")


def outcomes(db: Path) -> dict[str, int]:
    stats = load_learner(db).stats()
    return {name: stats[name] for name in ("accepted", "relabelled", "rejected")}


def learned(db: Path) -> bytes:
    """The learned state saved beside the store (b"" before the first save)."""
    path = state_path(db)
    return path.read_bytes() if path.exists() else b""


def updates(db: Path, label: str) -> int:
    """How many updates the saved learner made to `label`'s model."""
    return int(load_learner(db).stats()["updates"][label])


UNTAUGHT = encode(ClaimLearner(claim_label_groups(default_schema())))  # what nothing learned saves


async def test_checkable_sentences_are_suggested_and_marked(tmp_path: Path) -> None:
    async with suggesting(tmp_path / "alice.json") as pilot:
        assert suggested(pilot) == CLAIMS
        assert all(s.label == "FACT" for s in reading(pilot)._suggestions)
        view = pilot.app.screen.query_one(ArticleView)
        lines = [view.render_line(y).text for y in range(view.size.height)]
        assert any("┆" in line for line in lines) and not any("▌" in line for line in lines)
        await to(pilot, CLAIMS[0])
        info = str(pilot.app.screen.query_one("#quote-info", Static).render())
        assert "Suggested: FACT" in info and "Enter/y accept" in info
        assert on_disk(tmp_path / "alice.json") == []  # a suggestion is not an annotation


async def test_enter_accepts_and_u_brings_the_suggestion_back(tmp_path: Path) -> None:
    db = tmp_path / "alice.json"
    async with suggesting(db) as pilot:
        await to(pilot, CLAIMS[0])
        await pilot.press("enter")
        await pilot.pause()
        [made] = on_disk(db)
        assert (made.start, made.end) == span_of(CLAIMS[0])
        assert (made.label, made.kind, made.source) == ("FACT", "claim", "suggested")
        assert CLAIMS[0] not in suggested(pilot)
        await until(pilot, lambda: state_path(db).exists(), "the learned state saved")
        await until(pilot, lambda: outcomes(db)["accepted"] == 1, "the acceptance learned")
        await pilot.press("j", "j", "y")  # y accepts too
        await until(pilot, lambda: len(on_disk(db)) == 2, "the second acceptance")
        await pilot.press("u")
        await until(pilot, lambda: len(on_disk(db)) == 1, "the undo")
        await until(pilot, lambda: CLAIMS[1] in suggested(pilot), "the suggestion back")


async def test_relabelling_an_accepted_suggestion_makes_it_corrected(tmp_path: Path) -> None:
    db = tmp_path / "alice.json"
    async with suggesting(db) as pilot:
        await to(pilot, CLAIMS[0])
        info = str(pilot.app.screen.query_one("#quote-info", Static).render())
        assert "FACT (0.99)" in info  # 0.995 is cut, not rounded up to a certain 1.00
        await pilot.press("enter")
        await until(pilot, lambda: len(on_disk(db)) == 1, "the acceptance")
        await pilot.press("3")
        await until(pilot, lambda: on_disk(db)[0].label == "PREDICTION", "the relabel")
        assert on_disk(db)[0].source == "corrected"


async def test_a_label_key_relabels_a_suggestion(tmp_path: Path) -> None:
    db = tmp_path / "alice.json"
    async with suggesting(db) as pilot:
        await to(pilot, CLAIMS[1])
        await pilot.press("2")  # OPINION, not the suggested FACT
        await pilot.pause()
        [made] = on_disk(db)
        assert (made.start, made.end, made.label, made.source) == (
            *span_of(CLAIMS[1]),
            "OPINION",
            "corrected",
        )
        await until(pilot, lambda: state_path(db).exists(), "the learned state saved")
        await until(pilot, lambda: outcomes(db)["relabelled"] == 1, "the relabel learned")
        await to(pilot, CLAIMS[2])
        await pilot.press("1")  # the suggested label by its key: accepted
        await until(pilot, lambda: len(on_disk(db)) == 2, "the second label")
        assert {a.source for a in on_disk(db)} == {"corrected", "suggested"}


async def test_n_rejects_and_the_rejection_outlives_the_app(tmp_path: Path) -> None:
    db = tmp_path / "alice.json"
    async with suggesting(db) as pilot:
        await to(pilot, CLAIMS[1])
        await pilot.press("n")
        await pilot.pause()
        assert suggested(pilot) == [CLAIMS[0], CLAIMS[2]]
        assert on_disk(db) == []  # a rejection writes nothing into the store
        await until(pilot, lambda: state_path(db).exists(), "the learned state saved")
        await until(pilot, lambda: outcomes(db)["rejected"] == 1, "the rejection saved")
    doc_id = corpus().documents[0].id
    assert load_learner(db).was_rejected(doc_id, *span_of(CLAIMS[1]))
    async with suggesting(db) as pilot:  # the app again: still not suggested
        await until(pilot, lambda: CLAIMS[2] in suggested(pilot), "the suggestions")
        assert CLAIMS[1] not in suggested(pilot)


async def test_suggestions_are_off_without_the_flag_and_s_toggles_them(tmp_path: Path) -> None:
    db = tmp_path / "alice.json"
    async with suggesting(db, suggest=False) as pilot:
        await to(pilot, CLAIMS[0])
        await pilot.press("enter")
        await pilot.pause()
        assert on_disk(db) == [] and suggested(pilot) == []
        await pilot.press("S")
        await until(pilot, lambda: suggested(pilot) == CLAIMS, "suggestions on")
        await pilot.press("S")
        await pilot.pause()
        assert suggested(pilot) == []
        view = pilot.app.screen.query_one(ArticleView)
        assert not any("┆" in view.render_line(y).text for y in range(view.size.height))


def test_source_is_optional_in_the_record_and_checked() -> None:
    text = "The port reopened."
    plain = make_annotation(text, "d", 0, 18, "claim", "FACT", "alice")
    assert "source" not in plain.to_json()  # stores and exports without it are unchanged
    made = make_annotation(text, "d", 0, 18, "claim", "FACT", "alice", source="suggested")
    record = made.to_json()
    assert record["source"] == "suggested"
    assert Annotation.from_json(record) == made
    assert normalise_record(record)["source"] == "suggested"
    assert records_sound([record, plain.to_json()])
    bad = {**record, "source": "guessed"}
    assert "source must be one of" in (record_problem(bad) or "")
    assert not records_sound([bad])
    with pytest.raises(AnnotationError):
        Annotation.from_json(bad)


def test_a_damaged_rejection_list_is_refused_and_left_alone(tmp_path: Path) -> None:
    from reader.claims.persist import SuggestStateError, save_learner

    db = tmp_path / "alice.json"
    learner = load_learner(db)
    learner.reject("d", 3, 9)
    save_learner(db, learner)
    assert load_learner(db).was_rejected("d", 3, 9)  # it round-trips
    path = state_path(db)
    damaged = path.read_text().replace('"rejected": [', '"rejected": [["d", -1, 2], ')
    path.write_text(damaged)
    with pytest.raises(SuggestStateError, match="rejected suggestion"):
        load_learner(db)
    assert path.read_text() == damaged


async def test_undo_takes_back_what_the_learner_learned_and_redo_teaches_it_again(
    tmp_path: Path,
) -> None:
    db = tmp_path / "alice.json"
    async with suggesting(db) as pilot:
        await to(pilot, CLAIMS[0])
        await pilot.press("enter")
        await until(pilot, lambda: outcomes(db)["accepted"] == 1, "the acceptance learned")
        taught = learned(db)
        assert updates(db, "FACT") == 1
        await pilot.press("u")
        await until(pilot, lambda: learned(db) == UNTAUGHT, "the learned state as it was")
        assert on_disk(db) == [] and CLAIMS[0] in suggested(pilot)
        assert updates(db, "FACT") == 0 and outcomes(db)["accepted"] == 0
        await pilot.press("ctrl+r")
        await until(pilot, lambda: learned(db) == taught, "the learned state taught again")
        assert [a.source for a in on_disk(db)] == ["suggested"]
        await to(pilot, "Thank you very much.")  # no suggestion here: a label by hand
        opinions = updates(db, "OPINION")  # (FACT's update was OPINION's too, at 0)
        await pilot.press("2")
        await until(pilot, lambda: updates(db, "OPINION") == opinions + 1, "the label learned")
        await pilot.press("u")
        await until(pilot, lambda: learned(db) == taught, "the hand label unlearned")
        assert len(on_disk(db)) == 1
        await pilot.press("2")  # learned again; the same label again is no step
        await until(pilot, lambda: updates(db, "OPINION") == opinions + 1, "learned again")
        await pilot.press("2")
        await pilot.press("u")
        await until(pilot, lambda: learned(db) == taught, "one undo takes the label back")


async def test_a_claim_rejection_is_an_undo_step(tmp_path: Path) -> None:
    db = tmp_path / "alice.json"
    doc_id = corpus().documents[0].id
    async with suggesting(db) as pilot:
        await to(pilot, CLAIMS[1])
        await pilot.press("n")
        await until(pilot, lambda: outcomes(db)["rejected"] == 1, "the rejection saved")
        rejected = learned(db)
        assert load_learner(db).was_rejected(doc_id, *span_of(CLAIMS[1]))
        await pilot.press("u")
        await until(pilot, lambda: learned(db) == UNTAUGHT, "the rejection taken back")
        await until(pilot, lambda: CLAIMS[1] in suggested(pilot), "suggested again")
        assert "undid reject FACT" in str(reading(pilot).query_one("StatusLine").render())
        await pilot.press("ctrl+r")
        await until(pilot, lambda: learned(db) == rejected, "rejected again")
        await until(pilot, lambda: CLAIMS[1] not in suggested(pilot), "not suggested")
        assert on_disk(db) == []


ENTITY_TEXT = "In Berlin, Angela Merkel said unemployment fell to 3.5 percent in 2019. Thanks.\n"


async def test_a_claim_key_on_a_focused_entity_answers_the_sentences_claim_suggestion(
    tmp_path: Path,
) -> None:
    """The entity's suggestion takes entity labels; a claim key labels the sentence, and
    there it answers the claim suggestion, as it does with nothing focused."""
    db = tmp_path / "alice.json"
    document = Document(ENTITY_TEXT, "Berlin", "berlin.txt")
    sentence = ENTITY_TEXT.index(" Thanks")
    async with annotating(Corpus([document]), db, suggest=True) as pilot:
        screen = reading(pilot)
        assert [(s.start, s.end, s.label) for s in screen._suggestions] == [(0, sentence, "FACT")]
        await pilot.press("e")
        assert screen._focused_suggestion() is not None  # Berlin, a GPE suggestion
        await pilot.press("2")  # OPINION: another label than the suggested FACT
        await until(pilot, lambda: outcomes(db)["relabelled"] == 1, "the relabel counted")
        [made] = on_disk(db)
        assert ((made.start, made.end), made.label, made.source) == (
            (0, sentence),
            "OPINION",
            "corrected",
        )
        await pilot.press("u")
        await until(pilot, lambda: learned(db) == UNTAUGHT, "the relabel taken back")
        await until(pilot, lambda: len(screen._suggestions) == 1, "the claim suggested again")
        await pilot.press("e", "1")  # FACT, the suggested label
        await until(pilot, lambda: outcomes(db)["accepted"] == 1, "the acceptance counted")
        assert [(a.label, a.source) for a in on_disk(db)] == [("FACT", "suggested")]


async def test_a_sentence_labelled_by_hand_that_was_not_suggested_counts_as_missed(
    tmp_path: Path,
) -> None:
    db = tmp_path / "alice.json"

    def missed() -> int:
        return int(load_learner(db).stats()["missed"]) if state_path(db).exists() else -1

    async with suggesting(db) as pilot:
        await to(pilot, "Thank you very much.")  # scored under the threshold: no suggestion
        await pilot.press("1")
        await until(pilot, lambda: missed() == 1, "the miss counted")
        opinions = updates(db, "OPINION")  # (FACT's update was OPINION's too)
        await pilot.press("2")  # the annotator's own relabel: the model missed nothing more
        await until(pilot, lambda: updates(db, "OPINION") == opinions + 1, "the relabel learned")
        assert missed() == 1
        await pilot.press("u")  # undo takes the relabel back, and then the miss
        await until(pilot, lambda: updates(db, "OPINION") == opinions, "the relabel unlearned")
        await pilot.press("u")
        await until(pilot, lambda: missed() == 0, "the miss taken back")
        facts = updates(db, "FACT")
        await pilot.press("S")  # suggestions hidden: a label by hand is no miss
        await pilot.press("1")
        await until(pilot, lambda: updates(db, "FACT") == facts + 1, "the label learned")
        assert missed() == 0


async def test_quitting_before_a_worker_learned_a_label_still_saves_what_it_taught(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reader.ui.screens.suggesting import SuggestingScreen

    monkeypatch.setattr(SuggestingScreen, "_learn", lambda self, teacher: None)  # no worker
    db = tmp_path / "alice.json"
    async with suggesting(db) as pilot:
        await to(pilot, CLAIMS[0])
        await pilot.press("enter")
        await until(pilot, lambda: len(on_disk(db)) == 1, "the acceptance saved")
        assert not state_path(db).exists()  # nothing learned yet
    assert outcomes(db)["accepted"] == 1 and updates(db, "FACT") == 1  # learned on the way out
