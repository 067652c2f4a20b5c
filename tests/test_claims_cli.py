"""`reader analyze --json`'s claims list and `reader suggest-stats`, run as a user would."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_support import run

from reader.claims.learner import Suggestion
from reader.claims.persist import load_learner, save_learner, state_path
from reader.store import AnnotationStore

ARTICLE = (
    "Budget vote\n"
    "The deficit rose to $1.2 trillion in 2020, up 40 percent from a year before. "
    "Thank you all for coming tonight.\n"
    "“Ünïcode” quotes and an emoji 🙂 come before this sentence: taxes fell by 3 percent.\n"
)


def _analyze(*args: str) -> dict:
    status, out, err = run("analyze", "--json", *args)
    assert status == 0, err
    (line,) = out.splitlines()
    return json.loads(line)


@pytest.fixture
def article(tmp_path: Path) -> Path:
    path = tmp_path / "budget.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    return path


def test_every_sentence_gets_a_claim_score_at_its_exact_offsets(article: Path) -> None:
    result = _analyze(str(article))
    text = article.read_text(encoding="utf-8")
    claims = result["claims"]
    assert [(c["start"], c["end"]) for c in claims] == [
        (s["start"], s["end"]) for s in result["sentences"]
    ]
    assert all(set(c) == {"start", "end", "score"} and 0 <= c["score"] <= 1 for c in claims)
    by_text = {text[c["start"] : c["end"]]: c["score"] for c in claims}
    deficit = next(s for s in by_text if s.startswith("The deficit"))
    assert by_text[deficit] >= 0.5
    assert by_text["Thank you all for coming tonight."] < 0.5
    emoji = next(s for s in by_text if "taxes fell" in s)
    assert emoji.endswith("taxes fell by 3 percent.")  # offsets are str indices past 🙂


def test_with_a_store_the_stores_learned_model_scores(article: Path, tmp_path: Path) -> None:
    store = tmp_path / "alice.json"
    AnnotationStore.open(store, "alice").close()
    shipped = _analyze(str(article))["claims"]
    assert _analyze("--db", str(store), str(article))["claims"] == shipped  # nothing learned
    text = article.read_text(encoding="utf-8")
    first = shipped[0]
    learner = load_learner(store)
    sentence = text[first["start"] : first["end"]]
    for _ in range(8):  # the team rejects it: not a claim to them
        learner.observe(sentence, None, learner.suggest(sentence))
    save_learner(store, learner)
    learned = _analyze("--db", str(store), str(article))["claims"]
    assert learned[0]["score"] < 0.5 <= first["score"]


def test_a_store_that_is_not_there_is_one_clear_error(article: Path, tmp_path: Path) -> None:
    status, out, err = run("analyze", "--json", "--db", str(tmp_path / "typo.json"), str(article))
    assert (status, out) == (2, "")
    assert err.strip() == f"reader: error: {tmp_path / 'typo.json'}: no such annotation store"


def test_suggest_stats_prints_how_suggestions_were_answered(tmp_path: Path) -> None:
    store = tmp_path / "alice.json"
    AnnotationStore.open(store, "alice").close()
    learner = load_learner(store)
    shown = Suggestion("FACT", 0.8)
    for label in ("FACT", "FACT", "FACT", "OPINION", None):
        learner.observe("Taxes rose by 3 percent.", label, shown)
    learner.observe("We will win.", "PREDICTION", Suggestion("FACT", 0.2))
    save_learner(store, learner)

    status, out, err = run("suggest-stats", "--db", str(store), "--json")
    assert status == 0, err
    stats = json.loads(out)
    assert (stats["suggested"], stats["accepted"], stats["acceptance"]) == (5, 3, 0.6)
    assert (stats["relabelled"], stats["rejected"], stats["missed"]) == (1, 1, 1)
    assert stats["by_label"]["PREDICTION"]["missed"] == 1

    status, out, err = run("suggest-stats", "--db", str(store))
    assert status == 0, err
    assert "accepted     3 of     5 (60%)" in out


def test_suggest_stats_on_a_corrupt_state_is_one_line_and_keeps_the_file(tmp_path: Path) -> None:
    store = tmp_path / "alice.json"
    AnnotationStore.open(store, "alice").close()
    state_path(store).write_text('{"reader": "claim-suggestions", "version": 1, "feat')
    status, out, err = run("suggest-stats", "--db", str(store))
    assert (status, out) == (2, "")
    assert len(err.strip().splitlines()) == 1
    assert "alice.json.suggest.json: cannot be read" in err
    assert state_path(store).read_text().endswith('"feat')


def test_suggest_stats_of_a_store_with_nothing_learned(tmp_path: Path) -> None:
    store = tmp_path / "alice.json"
    AnnotationStore.open(store, "alice").close()
    status, out, _ = run("suggest-stats", "--db", str(store), "--json")
    assert status == 0
    assert json.loads(out)["suggested"] == 0
    assert json.loads(out)["acceptance"] is None
    assert not state_path(store).exists()  # reading figures writes nothing


def test_printed_scores_stay_on_their_side_of_the_threshold() -> None:
    from reader.claims.scoring import shown_score

    assert shown_score(0.499999) == 0.4999 < 0.5
    assert shown_score(0.5) == 0.5
    assert shown_score(0.123456) == 0.1234
    assert shown_score(1.0) == 1.0
    assert shown_score(0.0) == 0.0
