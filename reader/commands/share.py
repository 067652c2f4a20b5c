"""`reader share` and `reader export --snapshot`: one consistent single-file copy of a
store (snapshot and journal folded together), safe while the app has the store open."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..formats import FormatError
from ..printable import inert
from ..store import AnnotationStore
from .export import atomic_output, guard_target, open_paths


def write_snapshot(db: Path, output: str) -> int:
    """A consistent single-file copy of the store at `db` (snapshot and journal folded
    together, as a reader reads it), written atomically to `output`; returns the number
    of annotations. Safe while the store is open in the app."""
    target = Path(output)
    if target.absolute() == db.absolute():
        raise FormatError(f"{inert(output)}: is the store itself; name another file")
    store = AnnotationStore.open(db, read_only=True)
    guard_target(output, owner=store.annotator or None)
    journal = target.with_name(target.name + ".journal")
    if journal.exists() or journal.is_symlink():
        raise FormatError(
            f"{inert(output)}: has a journal beside it ({inert(journal.name)}), so it is a "
            "store in use; name another file"
        )
    from ..store import snapshot

    meta = dict(getattr(store, "meta", None) or getattr(store, "_meta", {}) or {})
    meta.update(format=snapshot.FORMAT, version=snapshot.VERSION, generation=1)
    documents = {}
    annotations = {}
    counts = store.counts()
    for doc_id in store.document_ids():
        stored = store.document(doc_id)
        if stored is not None:
            documents[doc_id] = stored.to_json()
    for doc_id in counts:
        records = store.records(doc_id)
        annotations[doc_id] = {
            "doc_id": doc_id,
            "count": len(records),
            "records": json.dumps(records, ensure_ascii=False, separators=(",", ":")),
        }
    tables = {"_meta": {"1": meta}, "documents": documents, "annotations": annotations}
    data = snapshot.dump(tables)
    with atomic_output(output) as out:
        out.write(data.decode("utf-8"))
    return sum(counts.values())


@click.command("share")
@click.argument("store", type=click.Path(dir_okay=False))
@click.option("-o", "--output", required=True, help="The single store file to write.")
def share_command(store: str, output: str) -> None:
    """Write STORE as one consistent file to send to a reviewer (safe while it is open)."""
    [db] = open_paths([store])
    count = write_snapshot(db, output)
    click.echo(f"wrote {count} annotation(s) of {inert(str(db))} to {inert(output)}", err=True)
