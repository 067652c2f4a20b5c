"""Rebuilding the shipped entity model from `../shared/data/ner/*.conll`.

`python -m reader.nlp.training` trains it (fixed seed, prints its figures) and writes
`reader/nlp/data/entities.npz`. See docs/MODELS.md.
"""
