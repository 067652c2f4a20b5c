"""Check-worthiness suggestions: a shipped linear model over hashed n-grams (`model`),
and a per-store model that learns from the annotator's claim labels (`learner`), kept
beside the store (`persist`). Pure Python and numpy; knows nothing of Textual."""
