"""Annotating: the annotation record and its one codec, the label schema, the session
(every change saved, with undo and redo) and re-anchoring an edited article's annotations.
No Textual here."""
