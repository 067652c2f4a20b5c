"""What the reading and the review screens share: the keys that page through the article
and step from document to document, turning a page, and the fence that keeps a list's
keys its own."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.binding import Binding

if TYPE_CHECKING:
    from textual.screen import Screen

    from ...reading.state import ReadingState
    from ..widgets.article_view import ArticleView

PAGE_BINDINGS = [
    Binding("pagedown,space", "page(1)", "Page down", show=False),
    Binding("pageup", "page(-1)", "Page up", show=False),
]
DOCUMENT_BINDINGS = [
    Binding("right_square_bracket", "document(1)", "Next doc"),
    Binding("left_square_bracket", "document(-1)", "Previous doc", show=False),
]


def turn_page(article: ArticleView, state: ReadingState, direction: int) -> None:
    """Scroll `article` a screenful (less two lines) down (1) or up (-1), put the cursor
    on the first sentence in view and repaint, leaving the view where it is."""
    height = max(1, article.scrollable_content_region.height - 2)
    top = max(0, min(int(article.scroll_y) + direction * height, int(article.max_scroll_y)))
    article.scroll_to(y=top, animate=False)
    state.to_first_sentence_from(article.first_visible_offset(top))
    article.state_changed(scroll=False)


def article_keys_allowed(screen: Screen, article: ArticleView, action: str, *closing: str) -> bool:
    """A screen's `check_action`: while something other than the article has focus (a
    list, the search box) its keys are its own, and of the screen's actions only the
    `closing` ones (Esc's) run."""
    focused = screen.focused
    return focused is None or focused is article or action in closing
