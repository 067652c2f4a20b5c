"""Where the reader is in a document: the reading state (cursor, focus, search), the
selection, fast span look-ups, the line layout and how annotations show as marks.
Pure Python: no Textual here (modelled on `textual.document`)."""
