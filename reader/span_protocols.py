"""What code comparing annotations needs of one, as typing protocols.

`reader.annotations.Annotation` fits each; so do the lighter records made for speed
(`reader.review.disagreements.LightSpan`, `reader.review.workspace.Place`). The
protocols of `reader.agreement` and `reader.review` add their own fields to these.
"""

from __future__ import annotations

from typing import Protocol


class Extent(Protocol):
    """Where an annotation of one kind is."""

    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def kind(self) -> str: ...


class Marked(Extent, Protocol):
    """An extent with its label."""

    @property
    def label(self) -> str: ...
