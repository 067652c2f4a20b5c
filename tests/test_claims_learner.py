"""The per-store claim learner: it follows the team's labels, counts how suggestions were
answered, and keeps its state beside the store, atomically, refusing a corrupt file."""

from __future__ import annotations

import json
import os
import statistics
import time
from pathlib import Path

import pytest

from reader.annotate.annotations import make_annotation
from reader.annotate.schema import default_schema, parse_schema
from reader.claims import model
from reader.claims.features import FEATURES_VERSION
from reader.claims.learner import ClaimLearner, Suggestion, claim_label_groups
from reader.claims.persist import SuggestStateError, load_learner, save_learner, state_path
from reader.corpus import text_id
from reader.store import AnnotationStore, StoredDocument, StoreUnsafeError

OPINIONS = [
    "I believe this country deserves a leader who listens to its people.",
    "I think our schools are the best hope we have for the future.",
    "I believe we can do better for the families of this nation.",
    "I think the American people are tired of broken promises.",
    "I believe in an America that keeps its word to the world.",
    "I think we owe our veterans far more than we give them.",
]
NEW_OPINION = "I believe our farmers deserve far more respect than they get."
NEUTRAL = "The meeting will resume after a short break."
FACT = "Unemployment fell to 4.1 percent last year, the lowest rate since 2000."


def _learner() -> ClaimLearner:
    return ClaimLearner(claim_label_groups(default_schema()))


def _store(tmp_path: Path) -> Path:
    path = tmp_path / "alice.json"
    AnnotationStore.open(path, "alice").close()
    return path


def test_before_any_label_the_suggestions_are_the_shipped_models() -> None:
    learner = _learner()
    for sentence in (FACT, NEW_OPINION):
        suggestion = learner.suggest(sentence)
        assert suggestion.label == "FACT"
        assert suggestion.score == pytest.approx(model.probability(sentence))


def test_after_some_labels_the_suggestions_follow_the_teams_labels() -> None:
    learner = _learner()
    assert learner.suggest(NEW_OPINION).label == "FACT"
    for _ in range(3):
        for sentence in OPINIONS:
            learner.observe(sentence, "OPINION", learner.suggest(sentence))
    suggestion = learner.suggest(NEW_OPINION)
    assert (suggestion.label, suggestion.shown) == ("OPINION", True)
    assert learner.suggest(FACT).label == "FACT"  # facts are still facts
    assert not learner.suggest(NEUTRAL).shown  # and not every sentence is an opinion now


def test_a_document_scored_together_gets_each_sentences_own_suggestion() -> None:
    """`suggestions`/`scores` (the batch `analyze --db` uses) agree with `suggest` one by
    one, after learning, for every label (a never-used label is never suggested)."""
    learner = _learner()
    for sentence in OPINIONS:
        learner.observe(sentence, "OPINION", learner.suggest(sentence))
    document = [FACT, NEW_OPINION, NEUTRAL, "", *OPINIONS]
    alone = [learner.suggest(sentence) for sentence in document]
    together = learner.suggestions(document)
    assert [s.label for s in together] == [s.label for s in alone]
    assert [s.score for s in together] == pytest.approx([s.score for s in alone], abs=1e-12)
    assert learner.scores(document) == [s.score for s in together]
    assert {s.label for s in together} == {"FACT", "OPINION"}  # PREDICTION, OTHER never learned
    for sentence, suggestion in zip(document, together, strict=True):
        probabilities = learner.probabilities(sentence)
        assert suggestion.score == pytest.approx(
            max(probabilities["FACT"], probabilities["OPINION"]), abs=1e-12
        )
    assert learner.suggestions([]) == []


def test_a_schema_of_its_own_gets_suggestions_in_its_own_labels() -> None:
    schema = parse_schema(
        'name = "team"\n[groups.check]\nkind = "claim"\n'
        '[[groups.check.labels]]\nname = "CHECK"\nkey = "1"\n'
        '[[groups.check.labels]]\nname = "SPIN"\nkey = "2"\n'
    )
    learner = ClaimLearner(claim_label_groups(schema))
    assert learner.suggest(FACT).label == "CHECK"  # the first claim label has the prior
    for _ in range(3):
        for sentence in OPINIONS:
            learner.observe(sentence, "SPIN")
    assert learner.suggest(NEW_OPINION).label == "SPIN"


def test_rejecting_a_suggestion_lowers_it() -> None:
    learner = _learner()
    before = learner.suggest(FACT)
    assert before.shown
    for _ in range(5):
        learner.observe(FACT, None, learner.suggest(FACT))
    assert learner.suggest(FACT).score < before.score
    assert not learner.suggest(FACT).shown


def test_undo_of_updates_in_reverse_restores_the_state_exactly_and_redo_remakes_it() -> None:
    from reader.claims.persist import encode

    learner = load_learner_from(FACT)
    before = encode(learner)
    shown = Suggestion("FACT", 0.9)
    made = [
        learner.observe(sentence, label, shown)
        for sentence, label in [(OPINIONS[0], "OPINION"), (FACT, "FACT"), (NEW_OPINION, None)]
    ]
    after = encode(learner)
    assert [m.outcome for m in made] == ["relabelled", "accepted", "rejected"]
    for update in reversed(made):
        learner.undo(update)
    assert encode(learner) == before  # weights, biases, counts and tally, to the bit
    assert learner.suggest(NEW_OPINION) == load_learner_from(FACT).suggest(NEW_OPINION)
    for update in made:
        learner.redo(update)
    assert encode(learner) == after


def load_learner_from(sentence: str) -> ClaimLearner:
    """A learner that has learned one FACT already (so undo starts from learned weights)."""
    learner = _learner()
    learner.observe(sentence, "FACT")
    return learner


def test_the_tally_counts_each_kind_of_answer() -> None:
    learner = _learner()
    shown_fact = Suggestion("FACT", 0.9)
    nothing = Suggestion("FACT", 0.1)
    assert learner.observe(FACT, "FACT", shown_fact).outcome == "accepted"
    assert learner.observe(FACT, "FACT", shown_fact).outcome == "accepted"
    assert learner.observe(NEW_OPINION, "OPINION", shown_fact).outcome == "relabelled"
    assert learner.observe(NEW_OPINION, None, shown_fact).outcome == "rejected"
    assert learner.observe(NEW_OPINION, "OPINION", nothing).outcome == "missed"
    assert learner.observe(NEW_OPINION, None, nothing).outcome is None
    assert learner.observe(FACT, "NOT_IN_SCHEMA", shown_fact).outcome is None
    stats = learner.stats()
    assert (stats["suggested"], stats["accepted"], stats["relabelled"]) == (4, 2, 1)
    assert (stats["rejected"], stats["missed"], stats["acceptance"]) == (1, 1, 0.5)
    assert stats["by_label"]["FACT"]["accepted"] == 2
    assert stats["by_label"]["OPINION"]["missed"] == 1


def test_the_learned_state_survives_a_save_and_a_load(tmp_path: Path) -> None:
    store = _store(tmp_path)
    learner = load_learner(store)
    for sentence in OPINIONS:
        learner.observe(sentence, "OPINION", learner.suggest(sentence))
    path = save_learner(store, learner)
    assert path == tmp_path / "alice.json.suggest.json"
    again = load_learner(store)
    assert again.probabilities(NEW_OPINION) == pytest.approx(
        learner.probabilities(NEW_OPINION), abs=1e-6
    )
    assert again.stats() == learner.stats()
    assert sorted(p.name for p in tmp_path.iterdir() if "tmp" in p.name) == []


def test_a_store_without_learned_state_uses_the_shipped_model(tmp_path: Path) -> None:
    learner = load_learner(_store(tmp_path))
    assert learner.score(FACT) == pytest.approx(model.probability(FACT))
    assert not state_path(tmp_path / "alice.json").exists()


@pytest.mark.parametrize(
    "damage",
    [
        lambda raw: raw[: len(raw) // 2],  # a half-written file
        lambda raw: b"",
        lambda raw: b"[1, 2]",
        lambda raw: raw.replace(b'"claim-suggestions"', b'"something-else"'),
        lambda raw: raw.replace(f'"features": "{FEATURES_VERSION}"'.encode(), b'"features": 1'),
        lambda raw: raw.replace(b'"bias": ', b'"bias": "x", "was": ', 1),
        lambda raw: _replace_values(raw, "AAAA"),
    ],
    ids=["truncated", "empty", "not-an-object", "not-ours", "no-features", "bad-bias", "bad-b64"],
)
def test_a_corrupt_state_file_is_refused_by_name_and_left_as_it_is(tmp_path: Path, damage) -> None:
    store = _store(tmp_path)
    learner = load_learner(store)
    learner.observe(FACT, "FACT", learner.suggest(FACT))
    path = save_learner(store, learner)
    broken = damage(path.read_bytes())
    path.write_bytes(broken)
    with pytest.raises(SuggestStateError, match=r"alice\.json\.suggest\.json: cannot be read"):
        load_learner(store)
    assert path.read_bytes() == broken


def test_state_of_older_features_is_learned_again_from_the_stores_labels(tmp_path: Path) -> None:
    store = _store(tmp_path)
    with AnnotationStore.open(store, "alice") as opened:
        for sentence in OPINIONS * 3:
            text_doc = StoredDocument(text_id(sentence), sentence, {}, "o.txt")
            opened.put(
                make_annotation(
                    sentence, text_doc.doc_id, 0, len(sentence), "claim", "OPINION", "alice"
                ),
                text_doc,
            )
    learner = load_learner(store)
    learner.observe(FACT, "FACT", learner.suggest(FACT))
    learner.reject("d", 0, 5)
    path = save_learner(store, learner)
    old = path.read_bytes().replace(
        f'"features": "{FEATURES_VERSION}"'.encode(), b'"features": "v1"'
    )
    path.write_bytes(old)
    again = load_learner(store)
    assert again.suggest(NEW_OPINION).label == "OPINION"  # learned from the store's labels
    assert _learner().suggest(NEW_OPINION).label == "FACT"  # which the shipped model is not
    assert again.stats()["accepted"] == 1 and again.was_rejected("d", 0, 5)
    assert path.read_bytes() == old  # nothing written until the app saves


def _replace_values(raw: bytes, value: str) -> bytes:
    document = json.loads(raw)
    document["labels"]["FACT"]["values"] = value
    return json.dumps(document).encode()


def test_a_planted_link_is_neither_read_nor_written_through(tmp_path: Path) -> None:
    store = _store(tmp_path)
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text("keep me")
    os.symlink(elsewhere, state_path(store))
    with pytest.raises(StoreUnsafeError, match="symbolic link"):
        load_learner(store)
    with pytest.raises(StoreUnsafeError, match="symbolic link"):
        save_learner(store, _learner())
    assert elsewhere.read_text() == "keep me"


@pytest.mark.serial  # times updates
def test_an_update_takes_under_five_milliseconds() -> None:
    learner = _learner()
    learner.observe(FACT, "FACT")  # the shipped weights load before timing
    times = []
    for i in range(200):
        sentence = OPINIONS[i % len(OPINIONS)] + f" Number {i}."
        began = time.perf_counter()
        learner.observe(sentence, "OPINION", Suggestion("FACT", 0.7))
        times.append(time.perf_counter() - began)
    assert statistics.median(times) < 0.005
    assert max(times) < 0.05


def test_updates_on_a_worker_thread_while_scoring_on_another_lose_none() -> None:
    """The UI updates off its thread and scores on it: every update counts once."""
    import threading

    learner = _learner()
    learner.suggest(FACT)
    errors: list[BaseException] = []

    def update() -> None:
        try:
            for i in range(100):
                learner.observe(OPINIONS[i % len(OPINIONS)], "OPINION", Suggestion("FACT", 0.9))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    workers = [threading.Thread(target=update) for _ in range(3)]
    for worker in workers:
        worker.start()
    while any(worker.is_alive() for worker in workers):
        assert 0.0 <= learner.suggest(NEW_OPINION).score <= 1.0
    for worker in workers:
        worker.join()
    assert not errors
    assert learner.stats()["relabelled"] == 300
    assert learner.labels["OPINION"].updates == 300


def test_undo_asked_before_the_worker_taught_the_lesson_still_takes_it_back() -> None:
    """The app queues a lesson on its thread and a worker learns it later: `u` pressed in
    between is queued after it, so the learner ends as it started."""
    from reader.annotate.suggestions import Suggested, Teacher
    from reader.claims.persist import encode

    learner = _learner()
    saved: list[bytes] = []
    teacher = Teacher(learner, lambda: saved.append(encode(learner)))
    untaught = encode(learner)
    lesson = teacher.labelled(FACT, "OPINION", Suggested(0, len(FACT), "FACT", 0.9))
    lesson.undo()
    assert saved == [] and teacher.pending  # nothing ran on the UI thread
    teacher.work()
    assert saved == [untaught] and not teacher.pending
    lesson.redo()
    teacher.work()
    assert learner.stats()["relabelled"] == 1 and saved[-1] != untaught
    rejected = teacher.rejected("doc", FACT, Suggested(0, len(FACT), "FACT", 0.9))
    teacher.work()
    assert learner.was_rejected("doc", 0, len(FACT))
    rejected.undo()
    teacher.work()
    assert not learner.was_rejected("doc", 0, len(FACT)) and saved[-1] == saved[-3]


def test_only_the_newest_lessons_keep_what_undo_needs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each lesson keeps the rows it changed for undo (about 40 kB): past `LESSONS_KEPT`
    newer ones an old lesson lets them go, so a long session's memory stays bounded; its
    undo then takes back the label but leaves the learning (and still takes back a
    rejection), while the newest are still undone to the bit."""
    from reader.annotate import suggestions
    from reader.annotate.suggestions import Suggested, Teacher
    from reader.claims.persist import encode

    monkeypatch.setattr(suggestions, "LESSONS_KEPT", 2)
    learner = _learner()
    teacher = Teacher(learner, lambda: None)
    shown = Suggested(0, len(FACT), "FACT", 0.9)
    oldest = teacher.rejected("doc", FACT, shown)
    teacher.work()
    after_oldest = encode(learner)
    newer = [teacher.labelled(FACT, "OPINION", shown), teacher.labelled(NEW_OPINION, "FACT", None)]
    teacher.work()
    assert oldest.update is None and all(lesson.update is not None for lesson in newer)
    for lesson in reversed(newer):
        lesson.undo()
    teacher.work()
    assert encode(learner) == after_oldest  # the kept ones: exactly as before them
    oldest.undo()
    teacher.work()
    assert not learner.was_rejected("doc", 0, len(FACT))  # the rejection is taken back
    assert learner.stats()["rejected"] == 1  # what it taught stays
