"""`reader analyze --jobs N` and `--dask ADDRESS`: the same results, in the documents' order."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
from cli_support import run

from reader.claims.persist import load_learner, save_learner
from reader.store import AnnotationStore

_ARTICLES = [
    "Anna Berg met Laurent Fabius in Oslo on Monday.",
    "“We will stay,” said Marta Okonkwo of the International Monetary Fund.",
    "Kenya's Finance Minister Paul Otieno flew to Nairobi.",
    "The IMF said Iraq would borrow more.",
    "Shares of Pfizer fell after Merrill Lynch cut its rating.",
    "Nothing here but lower-case words.",
]


def _corpus(tmp_path: Path, copies: int = 3) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for k in range(copies):
        for i, text in enumerate(_ARTICLES):
            # each document different, so a result in the wrong place would show
            (folder / f"{k:02d}_{i:02d}.txt").write_text(f"Item {k * 10 + i}. {text}\n")
    return folder


def _lines(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines()]


def test_jobs_keep_the_order_and_the_results(tmp_path: Path) -> None:
    folder = _corpus(tmp_path)
    code1, out1, err1 = run("analyze", "--json", "--jobs", "1", str(folder))
    code2, out2, err2 = run("analyze", "--json", "--jobs", "2", str(folder))
    assert code1 == code2 == 0
    one, two = _lines(out1), _lines(out2)
    assert len(one) == len(_ARTICLES) * 3
    assert [d["source"] for d in one] == sorted(d["source"] for d in one)
    assert one == two
    assert err1 == err2 == ""  # no progress bar when stderr is not a terminal


def test_workers_score_claims_with_the_stores_learned_model(tmp_path: Path) -> None:
    """The claims are scored where the documents are analysed (in the workers), by the
    store's learner when --db is given, read afresh for each command."""
    folder = _corpus(tmp_path, copies=2)
    store = tmp_path / "alice.json"
    AnnotationStore.open(store, "alice").close()
    sentence = "The IMF said Iraq would borrow more."
    _, shipped, _ = run("analyze", "--json", "--jobs", "2", "--db", str(store), str(folder))
    learner = load_learner(store)
    for _ in range(8):  # the team rejects it: not a claim to them
        learner.observe(sentence, None, learner.suggest(sentence))
    save_learner(store, learner)
    outs = [
        _lines(run("analyze", "--json", "--jobs", jobs, "--db", str(store), str(folder))[1])
        for jobs in ("1", "2")
    ]
    assert outs[0] == outs[1]

    def score(lines: list[dict]) -> list[float]:
        return [
            c["score"]
            for d in lines
            for c in d["claims"]
            if sentence in Path(d["source"]).read_text(encoding="utf-8")[c["start"] : c["end"]]
        ]

    learned, before = score(outs[1]), score(_lines(shipped))
    assert len(learned) == len(before) == 2
    assert all(a < b for a, b in zip(learned, before, strict=True))


def test_unknown_engine_with_jobs_is_one_line(tmp_path: Path) -> None:
    code, out, err = run("analyze", "--jobs", "2", "--engine", "spacy", str(_corpus(tmp_path)))
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "unknown analysis engine 'spacy'" in err


def test_jobs_must_be_positive(tmp_path: Path) -> None:
    code, _, err = run("analyze", "--jobs", "0", str(_corpus(tmp_path)))
    assert code == 2 and "--jobs" in err


def test_dask_missing_is_one_clear_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if the extra were not installed
    code, out, err = run("analyze", "--dask", "tcp://127.0.0.1:1", str(_corpus(tmp_path)))
    assert code == 2 and out == ""
    assert err.strip().splitlines() == [
        "reader: error: --dask needs Dask's distributed scheduler: pip install 'reader[dask]'"
    ]


@pytest.mark.serial
def test_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    folder = _corpus(tmp_path)
    leader, follower = pty.openpty()
    reader = Path(sys.executable).with_name("reader")
    proc = subprocess.Popen(
        [str(reader), "analyze", "--json", "--jobs", "2", str(folder)],
        stdout=subprocess.PIPE, stderr=follower, env={**os.environ, "COLUMNS": "80"},
    )  # fmt: skip
    os.close(follower)
    out, _ = proc.communicate(timeout=120)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    assert proc.returncode == 0
    assert len(out.decode().splitlines()) == len(_ARTICLES) * 3  # stdout is only the JSON
    assert b"analyzing" in seen and b"/18" in seen


@pytest.mark.serial
def test_dask_cluster_gives_the_same_results(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed", reason="the dask extra is not installed")
    folder = _corpus(tmp_path, copies=1)
    _, expected, _ = run("analyze", "--json", "--jobs", "1", str(folder))
    with distributed.LocalCluster(
        host="127.0.0.1", n_workers=1, threads_per_worker=2, processes=True,
        dashboard_address=None,
    ) as cluster:  # fmt: skip
        code, out, err = run("analyze", "--json", "--dask", cluster.scheduler_address, str(folder))
    assert code == 0, err
    assert _lines(out) == _lines(expected)


def test_unreachable_dask_cluster_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("distributed", reason="the dask extra is not installed")
    from reader.nlp import batch

    monkeypatch.setattr(batch, "CONNECT_TIMEOUT_S", 1)  # nothing listens on port 9: no wait
    code, out, err = run("analyze", "--dask", "tcp://127.0.0.1:9", str(_corpus(tmp_path)))
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "cannot reach the Dask cluster" in err
