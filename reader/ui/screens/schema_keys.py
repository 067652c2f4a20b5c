"""A schema's label keys as Textual names them (shared by the reading and review screens)."""

from __future__ import annotations

from textual.binding import Binding


def textual_key(key: str) -> str:
    """The schema's key (a character like `1` or `;`, or a name like `f5`) as Textual
    names it."""
    if key == ",":
        return "comma"  # make_bindings reads a comma as between two keys
    return next(iter(Binding.make_bindings([Binding(key, "")]))).key
