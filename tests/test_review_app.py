"""Pilot tests of `reader review`: keys in, and what lands in the gold store on disk."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pilot_support import reviewing
from textual.pilot import Pilot
from textual.widgets import Input

from reader.annotate.schema import load_schema
from reader.annotate.session import AnnotationSession
from reader.corpus import Document
from reader.review.adjudication import review_log_path
from reader.review.loading import load_review_input
from reader.review.workspace import Review, open_gold
from reader.store import AnnotationStore
from reader.ui.review_app import ReviewApp, make_review_app
from reader.ui.screens.help import HelpScreen
from reader.ui.screens.prompts import NotePrompt
from reader.ui.screens.review import ReviewScreen
from reader.ui.widgets.review_panels import DetailPanel, DisagreementList, ReviewStatus

FIRST = "Iran’s supreme leader said on Monday"
SECOND = "World powers meeting in Paris on Monday gave public backing"
THIRD = "France sent jets on a reconnaissance mission to Iraq"


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("READER_DATA_DIR", str(tmp_path / "data"))


@pytest.fixture
def seed(seed_text: str) -> Document:
    return Document(text=seed_text, title="seed", source="seed.txt")


def span(document: Document, phrase: str, trim_start: int = 0) -> tuple[int, int]:
    start = document.text.index(phrase)
    return start + trim_start, start + len(phrase)


def make_store(tmp_path: Path, name: str, document: Document, labels: list[tuple]) -> Path:
    path = tmp_path / f"{name}.json"
    with AnnotationStore.open(path, name) as store:
        session = AnnotationSession(store, name, load_schema(None))
        for (start, end), label, note in labels:
            added = session.apply_label(document, start, end, label)
            if note:
                session.set_note(added, note)
    return path


@pytest.fixture
def stores(tmp_path: Path, seed: Document) -> list[Path]:
    """alice and bob differ on the first sentence's label and the second's boundaries,
    and agree on the third; carol sides with alice on the first."""
    first, second, third = span(seed, FIRST), span(seed, SECOND), span(seed, THIRD)
    return [
        make_store(
            tmp_path,
            "alice",
            seed,
            [(first, "FACT", "as reported"), (second, "OPINION", ""), (third, "FACT", "")],
        ),
        make_store(
            tmp_path,
            "bob",
            seed,
            [(first, "OPINION", ""), (span(seed, SECOND, 6), "OPINION", ""), (third, "FACT", "")],
        ),
        make_store(tmp_path, "carol", seed, [(first, "FACT", ""), (third, "FACT", "")]),
    ]


def screen(pilot: Pilot) -> ReviewScreen:
    assert isinstance(pilot.app, ReviewApp)
    return pilot.app.review_screen


def status(pilot: Pilot) -> str:
    return str(screen(pilot).query_one(ReviewStatus).render())


def detail(pilot: Pilot) -> str:
    return str(screen(pilot).query_one(DetailPanel).render())


def gold_on_disk(path: Path) -> list[tuple]:
    with AnnotationStore.open(path, read_only=True) as store:
        return [(a.start, a.end, a.kind, a.label, a.note, a.annotator) for a in store]


def agreed_third(seed: Document) -> tuple:
    """All annotators marked the third sentence FACT: it goes to gold on its own."""
    return (*span(seed, THIRD), "claim", "FACT", "", "gold")


async def test_accept_the_first_annotator(
    tmp_path: Path, stores: list[Path], seed: Document
) -> None:
    gold = tmp_path / "gold.json"
    async with reviewing(stores[:2], gold) as pilot:
        assert "resolved 0/2 here" in status(pilot) and "0/2 overall" in status(pilot)
        assert "1 agreed annotation(s) copied to gold" in status(pilot)
        assert gold_on_disk(gold) == [agreed_third(seed)]
        legend = str(screen(pilot).query_one("#legend").render())
        assert "alice" in legend and "bob" in legend and "gold" in legend
        await pilot.press("n")
        assert "Disagreement 1/2" in detail(pilot) and "same span, different labels" in detail(
            pilot
        )
        assert "FACT" in detail(pilot) and "OPINION" in detail(pilot)
        assert "note: as reported" in detail(pilot)
        await pilot.press("!")
        assert "resolved 1/2 here" in status(pilot) and "saved" in status(pilot)
        start, end = span(seed, FIRST)
        assert gold_on_disk(gold) == [
            (start, end, "claim", "FACT", "as reported", "gold"),
            agreed_third(seed),
        ]
        await pilot.press("n", "@")  # bob's boundaries on the second sentence
        assert "resolved 2/2 here" in status(pilot) and "2/2 overall" in status(pilot)
    start, end = span(seed, SECOND, 6)
    assert (start, end, "claim", "OPINION", "", "gold") in gold_on_disk(gold)
    assert len(gold_on_disk(gold)) == 3


async def test_majority_reject_label_key_and_undo(
    tmp_path: Path, stores: list[Path], seed: Document
) -> None:
    gold = tmp_path / "gold.json"
    first, second = span(seed, FIRST), span(seed, SECOND)
    agreed = agreed_third(seed)
    async with reviewing(stores, gold) as pilot:
        await pilot.press("n", "m")  # alice and carol: FACT
        assert gold_on_disk(gold) == [(*first, "claim", "FACT", "as reported", "gold"), agreed]
        await pilot.press("n", "m")  # second sentence: alice, bob (moved) and carol (none)
        assert "no majority" in status(pilot)
        await pilot.press("r")
        assert gold_on_disk(gold) == [(*first, "claim", "FACT", "as reported", "gold"), agreed]
        assert "resolved 2/2 here" in status(pilot)
        log = json.loads(review_log_path(gold).read_text(encoding="utf-8"))
        actions = sorted(e["decision"]["action"] for e in log["disagreements"].values())
        assert actions == ["majority", "reject"]
        await pilot.press("u")
        assert "resolved 1/2 here" in status(pilot)
        await pilot.press("3")  # the label key for PREDICTION edits gold here
        assert (*second, "claim", "PREDICTION", "", "gold") in gold_on_disk(gold)
        await pilot.press("u")
        assert gold_on_disk(gold) == [(*first, "claim", "FACT", "as reported", "gold"), agreed]
        await pilot.press("ctrl+r")
        assert (*second, "claim", "PREDICTION", "", "gold") in gold_on_disk(gold)
        await pilot.press("N", "u", "u")  # back to the first: undo the label, then majority
        assert gold_on_disk(gold) == [agreed]


async def test_note_list_toggles_and_help(tmp_path: Path, stores: list[Path]) -> None:
    """The list, a reviewer's note, hiding an annotator, the help, the last document."""
    gold = tmp_path / "gold.json"
    async with reviewing(stores[:2], gold) as pilot:
        await pilot.press("l")
        listing = screen(pilot).query_one(DisagreementList)
        assert listing.display and listing.option_count == 2
        await pilot.press("down", "enter")
        assert not listing.display and screen(pilot).current == 1
        await pilot.press("semicolon")
        assert isinstance(pilot.app.screen, NotePrompt)
        pilot.app.screen.query_one(Input).value = "check boundaries"
        await pilot.press("enter")
        assert "review note: check boundaries" in detail(pilot)
        log = json.loads(review_log_path(gold).read_text(encoding="utf-8"))
        assert [e.get("note") for e in log["disagreements"].values()] == ["check boundaries"]
        marks = screen(pilot).state.marks
        assert {m.key for m in marks} == {"alice", "bob", "gold"}
        await pilot.press("f2")
        assert {m.key for m in screen(pilot).state.marks} == {"alice", "gold"}
        await pilot.press("f2", "f10", "question_mark")
        assert isinstance(pilot.app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.press("right_square_bracket")
        assert "last document" in status(pilot)


@pytest.mark.parametrize("key", ["!", "@", "m", "r", "3", "u", "ctrl+r", "semicolon", "n"])
async def test_keys_in_the_disagreement_list_never_decide(
    tmp_path: Path, stores: list[Path], key: str
) -> None:
    """While the list has focus, decision keys do nothing behind it; j/k move in it."""
    gold = tmp_path / "gold.json"
    async with reviewing(stores[:2], gold) as pilot:
        await pilot.press("n", "!")  # one decision, so undo would have something to undo
        before = gold_on_disk(gold)
        log_before = review_log_path(gold).read_text(encoding="utf-8")
        await pilot.press("l")
        listing = screen(pilot).query_one(DisagreementList)
        assert listing.display and listing.has_focus
        await pilot.press(key)
        await pilot.pause()
        assert isinstance(pilot.app.screen, ReviewScreen)
        assert listing.display and listing.has_focus
        assert gold_on_disk(gold) == before
        assert review_log_path(gold).read_text(encoding="utf-8") == log_before
        await pilot.press("j")
        assert listing.highlighted == 1
        await pilot.press("k")
        assert listing.highlighted == 0


async def test_detail_shows_offsets_and_both_boundaries(tmp_path: Path, seed: Document) -> None:
    """Spans one character apart at the end look different: offsets and the last words."""
    start, end = span(seed, FIRST)
    end = seed.text.index(".", end) + 1  # the whole first sentence, with its full stop
    stores = [
        make_store(tmp_path, "alice", seed, [((start, end), "FACT", "")]),
        make_store(tmp_path, "bob", seed, [((start, end - 1), "FACT", "")]),
    ]
    async with reviewing(stores, tmp_path / "gold.json") as pilot:
        await pilot.press("n")
        lines = detail(pilot).splitlines()
        alice = next(line for line in lines if "alice" in line)
        bob = next(line for line in lines if "bob" in line)
        assert f"{start}–{end} " in alice and f"{start}–{end - 1} " in bob
        shown = {
            name: line[line.index("“") + 1 : line.rindex("”")]
            for name, line in (("alice", alice), ("bob", bob))
        }
        assert shown["alice"] != shown["bob"]
        assert shown["alice"].endswith(seed.text[end - 8 : end])
        assert shown["bob"].endswith(seed.text[end - 9 : end - 1])
        assert shown["alice"].startswith(seed.text[start : start + 10])


async def test_a_disk_error_during_undo_is_a_message_and_the_step_stays(
    tmp_path: Path, stores: list[Path], seed: Document, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`u` with a full disk used to be a traceback that lost the step; now the screen
    says NOT saved, gold is unchanged, and `u` again (space back) undoes it."""
    from reader.store import StoreError

    gold = tmp_path / "gold.json"
    first, agreed = span(seed, FIRST), agreed_third(seed)
    async with reviewing(stores, gold) as pilot:
        await pilot.press("n", "m")  # alice and carol: FACT
        decided = [(*first, "claim", "FACT", "as reported", "gold"), agreed]
        assert gold_on_disk(gold) == decided
        store = screen(pilot).review.adjudicator.session.store

        def disk_full(*args: object, **kwargs: object) -> None:
            raise StoreError(f"{gold}: cannot save (No space left on device)")

        with monkeypatch.context() as patch:
            for name in ("put", "put_many", "remove"):
                patch.setattr(store, name, disk_full)
            await pilot.press("u")
            assert "NOT saved" in status(pilot) and "No space left" in status(pilot)
            assert gold_on_disk(gold) == decided
        await pilot.press("u")
        assert "undid" in status(pilot)
        assert gold_on_disk(gold) == [agreed]


async def test_a_label_on_the_comma_key_works_in_review(
    tmp_path: Path, stores: list[Path], seed: Document
) -> None:
    """A schema may put a label on `,`; the review screen used to split it as two keys."""
    from reader.annotate.schema import parse_schema

    schema = parse_schema(
        'name = "comma"\n[groups.claims]\nkind = "claim"\n'
        '[[groups.claims.labels]]\nname = "FACT"\nkey = ","\n'
        '[[groups.claims.labels]]\nname = "OPINION"\nkey = "2"\n'
    )
    gold = tmp_path / "gold.json"
    review = Review(load_review_input(stores, schema=schema), open_gold(gold), schema)
    try:
        async with make_review_app(review).run_test(size=(110, 36)) as pilot:
            await pilot.app.workers.wait_for_complete()
            await pilot.press("n", "comma")
            await pilot.pause()
            first = span(seed, FIRST)
            assert (*first, "claim", "FACT", "", "gold") in gold_on_disk(gold)
    finally:
        review.close()


async def test_a_sidecar_write_failing_during_undo_shows_what_is_on_disk(
    tmp_path: Path, stores: list[Path], seed: Document, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`u` when the review log cannot be written: NOT saved, the detail still shows the
    decision the disk holds (it used to show it gone, and gold half undone), and `u`
    again undoes the whole decision."""
    from reader.review import adjudication
    from reader.store import StoreError

    gold = tmp_path / "gold.json"
    first, agreed = span(seed, FIRST), agreed_third(seed)
    async with reviewing(stores, gold) as pilot:
        await pilot.press("n", "m")
        decided = [(*first, "claim", "FACT", "as reported", "gold"), agreed]
        assert "accepted the majority" in detail(pilot)

        def disk_full(*args: object) -> None:
            raise StoreError(f"{review_log_path(gold)}: cannot write (No space left on device)")

        with monkeypatch.context() as patch:
            patch.setattr(adjudication, "atomic_write", disk_full)
            await pilot.press("u")
            assert "NOT saved" in status(pilot) and "No space left" in status(pilot)
            assert gold_on_disk(gold) == decided
            assert "accepted the majority" in detail(pilot) and "resolved" in detail(pilot)
        await pilot.press("u")
        assert "undid: accepted the majority" in status(pilot)
        assert gold_on_disk(gold) == [agreed] and "accepted the majority" not in detail(pilot)
        await pilot.press("ctrl+r")
        assert "redid" in status(pilot) and gold_on_disk(gold) == decided
