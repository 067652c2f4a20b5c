"""`make interop`: reader's doccano exports through a real doccano 1.8.4 and back.

doccano lives in its own venv (`.interop-venv`, never a dependency of reader). This
script, run with reader's venv, makes two annotators' stores with `reader import`, exports
them with `reader export`, starts doccano on 127.0.0.1 (a free port: its web server and
its task worker, which does the imports and exports), creates projects through its REST
API, uploads the exports, exports them back, compares them span by span, imports doccano's
file back into reader, prints the figures as JSON and stops both processes by their PIDs.
A third store, erin's, has entities and quotes with their speakers: its relation project
is checked relation by relation (quote span -> speaker span), and doccano's export of it,
imported into reader, gives the quotes their speakers back. A fourth, fay's, has speakers
whose own `SPEAKER` entities overlap her PERSONs: uploaded to a relation project that does
not allow overlaps, as exported (reader reports the pairs) and with `--no-overlap` (every
span and relation it kept comes back).

    python tests/interop/doccano_roundtrip.py [--doccano-venv .interop-venv] [--keep DIR]

Exit status 0 when every uploaded span came back where doccano is meant to keep it.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
READER = Path(sys.executable).with_name("reader")

# Three articles: double spaces, a tab, a no-break space, an emoji with a skin tone, a
# combining mark, a Windows line end (read as \n), and overlapping spans.
ARTICLES = [
    {
        "title": "Harbour",
        "text": "The harbour reopened on Monday.\r\nOfficials said repairs cost  millions.",
        "alice": [
            ("The harbour reopened on Monday.", "FACT"),
            ("on Monday.\nOfficials said repairs", "AGAINST"),
            ("repairs cost  millions", "OPINION"),
            ("harbour", "FACT"),
        ],
        "bob": [
            ("The harbour reopened on Monday.", "FACT"),
            ("Officials said repairs cost  millions.", "OPINION"),
            ("The harbour", "FOR"),
        ],
    },
    {
        "title": "Caf\u00e9",
        "text": "The\u00a0caf\u00e9\u0301 owner said \U0001f44d\U0001f3fd prices\twill fall.\nCritics doubt it.",
        "alice": [
            ("The\u00a0caf\u00e9\u0301 owner", "FACT"),
            ("\U0001f44d\U0001f3fd prices\twill fall.", "OPINION"),
            ("prices\twill fall.\nCritics doubt it.", "AGAINST"),
            ("Critics", "FACT"),
        ],
        "bob": [
            ("The\u00a0caf\u00e9\u0301 owner said \U0001f44d\U0001f3fd prices\twill fall.", "FACT"),
            ("prices", "OPINION"),
            ("Critics doubt it.", "AGAINST"),
        ],
    },
    {
        "title": "Bridge",
        "text": "The bridge will close in May, the council said. Drivers fear long delays.",
        "alice": [
            ("The bridge will close in May", "FACT"),
            ("close in May, the council said.", "FACT"),
            ("Drivers fear long delays.", "OPINION"),
            ("long delays", "AGAINST"),
            ("council", "FACT"),
        ],
        "bob": [
            ("The bridge will close in May, the council said.", "FACT"),
            ("Drivers fear long delays.", "OPINION"),
            ("bridge", "FOR"),
            ("the council", "FACT"),
        ],
    },
]


# erin's entities and quotes (with an emoji before some of them); a speaker that is an
# entity (Maria Costa) and one that is not (Her deputy, a SPEAKER entity in the export).
QUOTES = {
    "title": "Quotes",
    "text": 'Maria Costa said "We will reopen the harbour \U0001f6a2 in Lisbon." '
    'Her deputy said "No comment."',
    "entities": [("Maria Costa", "PERSON"), ("Lisbon", "GPE")],
    "quotes": [
        ('"We will reopen the harbour \U0001f6a2 in Lisbon."', "Maria Costa"),
        ('"No comment."', "Her deputy"),
    ],
}
# fay's quotes: each speaker is a SPEAKER entity of its own that overlaps a PERSON she
# marked, and nothing else overlaps: the relation project that does not allow overlaps.
SAID = {
    "title": "Said",
    "text": 'Her deputy, Ana Lima, said "No comment." The mayor, Rui Sousa, said "Later."',
    "entities": [("Ana Lima", "PERSON"), ("The mayor, Rui Sousa", "PERSON")],
    "quotes": [('"No comment."', "Her deputy, Ana Lima"), ('"Later."', "Rui Sousa")],
}
LABEL_KINDS = ["--label-kind", "PERSON=entity", "--label-kind", "GPE=entity"]
LABEL_KINDS += ["--label-kind", "QUOTE=quote"]


def reader(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(READER), *args], cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"reader {' '.join(args)} failed: {done.stderr.strip()}")
    return done


def make_stores(work: Path) -> None:
    """alice's and bob's stores, through `reader import` of doccano lines (offsets on the
    text as the file holds it, `\\r\\n` included)."""
    for name in ("alice", "bob"):
        lines = []
        for article in ARTICLES:
            raw = article["text"]
            plain = raw.replace("\r\n", "\n")
            to_raw = [i for i, c in enumerate(raw) if raw[i : i + 2] != "\r\n"]  # plain -> raw
            labels = []
            for words, label in article[name]:
                start = plain.index(words)
                end = start + len(words)
                labels.append([to_raw[start], to_raw[end - 1] + 1, label])
            lines.append(
                {"text": article["text"], "label": labels, "meta": {"title": article["title"]}}
            )
        path = work / f"{name}-in.jsonl"
        path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines))
        reader("import", str(path), "--db", f"{name}.json", "--annotator", name, cwd=work)


def make_quote_store(work: Path, name: str = "erin", quotes: dict[str, Any] = QUOTES) -> None:
    """erin's store of entities and quotes with speakers (or `name`'s of `quotes`),
    through `reader import` of a native line."""
    text = quotes["text"]

    def at(words: str) -> dict[str, Any]:
        start = text.index(words)
        return {"start": start, "end": start + len(words), "text": words}

    annotations = [
        {**at(words), "kind": "entity", "label": label} for words, label in quotes["entities"]
    ]
    annotations += [
        {**at(words), "kind": "quote", "label": "QUOTE", "speaker": at(who)}
        for words, who in quotes["quotes"]
    ]
    line = {"text": text, "meta": {"title": quotes["title"]}, "annotations": annotations}
    path = work / f"{name}-in.jsonl"
    path.write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    reader("import", str(path), "--db", f"{name}.json", "--annotator", name, cwd=work)


def relations_of(records: list[dict[str, Any]]) -> Counter[tuple[str, str, str]]:
    """(quote's text, speaker's text, type) of every relation, by the entities' offsets."""
    found: Counter[tuple[str, str, str]] = Counter()
    for record in records:
        text = record["text"]
        spans = {e["id"]: text[e["start_offset"] : e["end_offset"]] for e in record["entities"]}
        for r in record.get("relations", []):
            found[(spans[r["from_id"]], spans[r["to_id"]], r["type"])] += 1
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Doccano:
    """A doccano web server and task worker on 127.0.0.1, and its REST API."""

    def __init__(self, venv: Path, home: Path) -> None:
        self.venv = venv
        self.home = home
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.password = secrets.token_urlsafe(12)
        self.token = ""
        self.processes: list[subprocess.Popen[bytes]] = []
        self.env = {
            **os.environ,
            "DOCCANO_HOME": str(home),
            "STANDALONE": "True",
            "DEBUG": "False",
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "DATABASE_URL": f"sqlite:///{home / 'db.sqlite3'}",
            "MEDIA_ROOT": str(home / "media"),
            "SECRET_KEY": secrets.token_urlsafe(32),
        }

    def backend(self) -> Path:
        found = list((self.venv / "lib").glob("python*/site-packages/backend"))
        if not found:
            raise SystemExit(f"{self.venv}: doccano is not installed there")
        return found[0]

    def start(self) -> None:
        doccano = str(self.venv / "bin" / "doccano")
        log = open(self.home / "setup.log", "wb")  # noqa: SIM115 (closed with the run)
        for args in (["init"], ["createuser", "--username", "admin", "--password", self.password]):
            subprocess.run([doccano, *args], env=self.env, stdout=log, stderr=log, check=True)
        web = [
            str(self.venv / "bin" / "gunicorn"),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            "1",
            "--chdir",
            str(self.backend()),
            "config.wsgi",
        ]
        worker = [doccano, "task", "--concurrency", "1"]
        for name, command in (("web", web), ("task", worker)):
            out = open(self.home / f"{name}.log", "wb")  # noqa: SIM115
            self.processes.append(
                subprocess.Popen(
                    command, env=self.env, stdout=out, stderr=out, start_new_session=True
                )
            )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            dead = [p for p in self.processes if p.poll() is not None]
            if dead:
                raise SystemExit(f"doccano stopped at start (logs in {self.home})")
            try:
                self.token = self.call(
                    "POST", "/v1/auth/login/", {"username": "admin", "password": self.password}
                )["key"]
                return
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.5)
        raise SystemExit(f"doccano did not answer on {self.base} (logs in {self.home})")

    def stop(self) -> list[int]:
        """SIGTERM to each process (and the children it started) by its PID, SIGKILL after
        30 s; the PIDs stopped."""
        stopped = []
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(30)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
            stopped.append(process.pid)
        return stopped

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        raw: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        sent = dict(headers or {})
        if self.token:
            sent["Authorization"] = f"Token {self.token}"
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=sent)
        with urllib.request.urlopen(request, timeout=60) as response:
            payload = response.read()
            kind = response.headers.get("Content-Type", "")
        if "json" in kind:
            return json.loads(payload)
        return payload

    def wait(self, task_id: str, failing: bool = False) -> Any:
        """The task's result; one that failed stops the run, or with `failing` is
        returned as `{"error": ...}`."""
        for _ in range(600):
            status = self.call("GET", f"/v1/tasks/status/{task_id}")
            if status["ready"]:
                if status["error"]:
                    if failing:
                        return {"error": status["error"]}
                    raise SystemExit(f"doccano task failed: {status['error']}")
                return status["result"]
            time.sleep(0.5)
        raise SystemExit("a doccano task never finished")

    def project(self, name: str, overlapping: bool, relation: bool) -> int:
        made = self.call(
            "POST",
            "/v1/projects",
            {
                "name": name,
                "description": "reader interop",
                "guideline": "",
                "project_type": "SequenceLabeling",
                "resourcetype": "SequenceLabelingProject",
                "allow_overlapping": overlapping,
                "use_relation": relation,
                "collaborative_annotation": False,
                "random_order": False,
            },
        )
        return int(made["id"])

    def upload(self, project: int, path: Path, task: str, failing: bool = False) -> Any:
        boundary = uuid.uuid4().hex
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="filepond"; '
                f'filename="{path.name}"\r\nContent-Type: application/octet-stream\r\n\r\n'
            ).encode()
            + path.read_bytes()
            + f"\r\n--{boundary}--\r\n".encode()
        )
        upload_id = self.call(
            "POST",
            "/v1/fp/process/",
            raw=body,
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )
        upload_id = upload_id.decode() if isinstance(upload_id, bytes) else str(upload_id)
        started = self.call(
            "POST",
            f"/v1/projects/{project}/upload",
            {
                "uploadIds": [upload_id],
                "format": "JSONL",
                "task": task,
                "column_data": "text",
                "column_label": "label",
                "encoding": "utf_8",
            },
        )
        return self.wait(started["task_id"], failing)

    def download(self, project: int) -> list[dict[str, Any]]:
        started = self.call(
            "POST", f"/v1/projects/{project}/download", {"format": "JSONL", "exportApproved": False}
        )
        self.wait(started["task_id"])
        data = self.call("GET", f"/v1/projects/{project}/download?taskId={started['task_id']}")
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            [name] = [n for n in archive.namelist() if n.endswith(".jsonl")]
            text = archive.read(name).decode("utf-8")
        return [json.loads(line) for line in text.splitlines() if line.strip()]


def spans_of(record: dict[str, Any]) -> Counter[tuple[int, int, str]]:
    if "entities" in record:
        return Counter((e["start_offset"], e["end_offset"], e["label"]) for e in record["entities"])
    return Counter((s, e, label) for s, e, label in record["label"])


def compare(sent: list[dict[str, Any]], back: list[dict[str, Any]]) -> dict[str, Any]:
    """Span by span, per document text: what was uploaded, what came back, and the meta."""
    returned = {r["text"]: r for r in back}
    uploaded = matched = 0
    missing: list[Any] = []
    extra: list[Any] = []
    meta_kept = 0
    for record in sent:
        ours = spans_of(record)
        got = returned.get(record["text"])
        theirs = spans_of(got) if got else Counter()
        uploaded += sum(ours.values())
        matched += sum((ours & theirs).values())
        missing += list((ours - theirs).elements())
        extra += list((theirs - ours).elements())
        meta_kept += bool(got) and got.get("meta") == record["meta"]
    return {
        "documents": len(sent),
        "documents_back": len(back),
        "spans_uploaded": uploaded,
        "spans_back": sum(sum(spans_of(r).values()) for r in back),
        "spans_matched": matched,
        "spans_missing": [f"{s}:{e} {label}" for s, e, label in missing],
        "spans_extra": [f"{s}:{e} {label}" for s, e, label in extra],
        "meta_kept": f"{meta_kept}/{len(sent)}",
    }


def relations_compared(sent: list[dict[str, Any]], back: list[dict[str, Any]]) -> dict[str, Any]:
    """`compare`, and the relations (quote -> speaker) uploaded, back and matched."""
    compared = compare(sent, back)
    ours, theirs = relations_of(sent), relations_of(back)
    compared["relations_uploaded"] = sum(ours.values())
    compared["relations_back"] = sum(theirs.values())
    compared["relations_matched"] = sum((ours & theirs).values())
    return compared


def pairs_reported(stderr: str) -> int:
    """How many overlapping pairs reader's export warned of."""
    return sum(
        int(line.split(" has ")[1].split()[0])
        for line in stderr.splitlines()
        if " overlapping pair" in line
    )


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def run(venv: Path, work: Path) -> dict[str, Any]:
    make_stores(work)
    make_quote_store(work)
    make_quote_store(work, "fay", SAID)
    reader(
        "export", "--db", "erin.json", "--format", "doccano-entities", "-o", "erin.jsonl", cwd=work
    )
    fay = ["--db", "fay.json", "--format", "doccano-entities"]
    fay_warned = reader("export", *fay, "-o", "fay-raw.jsonl", cwd=work).stderr
    fay_trimmed = reader("export", *fay, "--no-overlap", "-o", "fay-trimmed.jsonl", cwd=work)
    both = ["--db", "alice.json", "--db", "bob.json"]
    reader("export", *both, "--format", "doccano", "--split", "-o", "labels", cwd=work)
    reader("export", *both, "--format", "doccano-entities", "--split", "-o", "entities", cwd=work)
    warned = reader(
        "export", "--db", "alice.json", "--format", "doccano", "-o", "alice-raw.jsonl", cwd=work
    )
    reported = pairs_reported(warned.stderr)
    trimmed = reader(
        "export",
        "--db",
        "alice.json",
        "--format",
        "doccano",
        "--no-overlap",
        "-o",
        "alice-trimmed.jsonl",
        cwd=work,
    )
    dropped = sum("--no-overlap dropped" in line for line in trimmed.stderr.splitlines())

    doccano = Doccano(venv, work / "doccano")
    doccano.home.mkdir()
    figures: dict[str, Any] = {
        "doccano": "1.8.4",
        "python": platform.python_version(),
        "server": "127.0.0.1 (free port)",
    }
    started = time.monotonic()
    try:
        doccano.start()
        figures["port"] = doccano.port
        projects: dict[str, Any] = {}
        for name in ("alice", "bob"):  # one file per annotator, a project allowing overlaps
            sent = work / "labels" / f"{name}.jsonl"
            project = doccano.project(
                f"{name} (overlaps allowed)", overlapping=True, relation=False
            )
            doccano.upload(project, sent, "SequenceLabeling")
            back = doccano.download(project)
            (work / f"doccano-{name}.jsonl").write_text(
                "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in back)
            )
            projects[f"sequence_labelling_overlaps_allowed/{name}"] = compare(lines(sent), back)
        for name in ("alice", "bob"):  # the entities shape, a relation project
            sent = work / "entities" / f"{name}.jsonl"
            project = doccano.project(f"{name} relations", overlapping=True, relation=True)
            doccano.upload(project, sent, "RelationExtraction")
            projects[f"relation_project/{name}"] = compare(lines(sent), doccano.download(project))
        sent = work / "erin.jsonl"  # quotes and speakers: entities and speaker relations
        project = doccano.project("erin quotes and speakers", overlapping=True, relation=True)
        doccano.upload(project, sent, "RelationExtraction")
        back = doccano.download(project)
        (work / "doccano-erin.jsonl").write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in back), encoding="utf-8"
        )
        projects["relation_project/erin_quotes_and_speakers"] = relations_compared(
            lines(sent), back
        )
        project = doccano.project("alice default (no overlaps)", overlapping=False, relation=False)
        doccano.upload(project, work / "alice-raw.jsonl", "SequenceLabeling")
        raw = compare(lines(work / "alice-raw.jsonl"), doccano.download(project))
        raw["overlapping_pairs_reader_reported"] = reported
        projects["default_project/alice_with_overlaps"] = raw
        project = doccano.project("alice default, --no-overlap", overlapping=False, relation=False)
        doccano.upload(project, work / "alice-trimmed.jsonl", "SequenceLabeling")
        trimmed_back = compare(lines(work / "alice-trimmed.jsonl"), doccano.download(project))
        trimmed_back["spans_reader_dropped_and_listed"] = dropped
        projects["default_project/alice_no_overlap"] = trimmed_back
        # fay's speakers overlap her PERSONs: reported, or dropped and listed with --no-overlap
        project = doccano.project("fay relations (no overlaps)", overlapping=False, relation=True)
        failed = doccano.upload(project, work / "fay-raw.jsonl", "RelationExtraction", True)
        raw = relations_compared(lines(work / "fay-raw.jsonl"), doccano.download(project))
        raw["upload_error"] = str((failed or {}).get("error", "")) or None
        raw["overlapping_pairs_reader_reported"] = pairs_reported(fay_warned)
        projects["relation_project_no_overlaps/fay_with_overlaps"] = raw
        project = doccano.project("fay relations, --no-overlap", overlapping=False, relation=True)
        doccano.upload(project, work / "fay-trimmed.jsonl", "RelationExtraction")
        trimmed_back = relations_compared(
            lines(work / "fay-trimmed.jsonl"), doccano.download(project)
        )
        trimmed_back["spans_reader_dropped_and_listed"] = sum(
            "--no-overlap dropped" in line for line in fay_trimmed.stderr.splitlines()
        )
        projects["relation_project_no_overlaps/fay_no_overlap"] = trimmed_back
        figures["projects"] = projects
    finally:
        figures["stopped_pids"] = doccano.stop()
    figures["doccano_seconds"] = round(time.monotonic() - started, 1)
    # doccano's own export, imported back into reader, exports as reader first wrote it
    reader(
        "import",
        "doccano-alice.jsonl",
        "--format",
        "doccano",
        "--db",
        "alice-back.json",
        "--annotator",
        "alice",
        cwd=work,
    )
    again = reader("export", "--db", "alice-back.json", "--format", "doccano", cwd=work).stdout
    figures["reader_reimport_identical"] = again == (work / "labels" / "alice.jsonl").read_text(
        encoding="utf-8"
    )
    # doccano's export of erin's relation project: the quotes get their speakers back
    reader(
        "import", "doccano-erin.jsonl", "--format", "doccano", "--db", "erin-back.json",
        "--annotator", "erin", *LABEL_KINDS, cwd=work,
    )  # fmt: skip
    again = reader("export", "--db", "erin-back.json", "--format", "doccano-entities", cwd=work)
    figures["reader_reimport_relations_identical"] = again.stdout == (
        work / "erin.jsonl"
    ).read_text(encoding="utf-8")
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--doccano-venv", type=Path, default=ROOT / ".interop-venv")
    parser.add_argument(
        "--keep", type=Path, help="work in DIR and keep it (default: a temporary folder)"
    )
    args = parser.parse_args()
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        figures = run(args.doccano_venv.absolute(), args.keep.absolute())
    else:
        with tempfile.TemporaryDirectory(prefix="reader-interop-") as folder:
            figures = run(args.doccano_venv.absolute(), Path(folder))
    projects = figures["projects"]
    ok = (
        figures["reader_reimport_identical"]
        and figures["reader_reimport_relations_identical"]
        and all(
            p["spans_matched"] == p["spans_uploaded"]
            and not p["spans_extra"]
            and p.get("relations_matched") == p.get("relations_uploaded") == p.get("relations_back")
            for name, p in projects.items()
            if not name.endswith("_with_overlaps")
        )
    )
    figures["ok"] = ok
    print(json.dumps(figures, ensure_ascii=False, indent=2))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
