"""A schema's label keys on a screen (shared by the reading and review screens): the key
as Textual names it, and a screen class whose bindings include them."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TypeVar

from textual.binding import Binding
from textual.screen import Screen

S = TypeVar("S", bound=Screen)  # any screen, whatever its result type


def textual_key(key: str) -> str:
    """The schema's key (a character like `1` or `;`, or a name like `f5`) as Textual
    names it."""
    if key == ",":
        return "comma"  # make_bindings reads a comma as between two keys
    return next(iter(Binding.make_bindings([Binding(key, "")]))).key


def keys_of(bindings: Iterable[Binding]) -> set[str]:
    """Every key `bindings` bind, one by one ("j,down" is two)."""
    return {binding.key for binding in Binding.make_bindings(bindings)}


def with_bindings(screen: type[S], bindings: Iterable[Binding]) -> type[S]:
    """`screen` with `bindings` (the schema's label keys) added to its own.

    A screen's bindings are its class's `BINDINGS` merged over its bases'; Textual has no
    public way to add one to a screen that exists (`App.bind` binds on the app, for every
    screen, and says it may go; `Screen._bindings` is private). So the label keys are the
    `BINDINGS` of a subclass made here, named as `screen` so its CSS still applies."""
    return type(screen.__name__, (screen,), {"BINDINGS": list(bindings)})


def hidden_keys(table: str) -> list[Binding]:
    """Bindings left out of the footer, from a table of one binding a line: the keys,
    the action and the description, in columns apart by two spaces or more."""
    bindings = []
    for row in table.strip().splitlines():
        keys, action, description = re.split(r"\s{2,}", row.strip(), maxsplit=2)
        bindings.append(Binding(keys, action, description, show=False))
    return bindings
