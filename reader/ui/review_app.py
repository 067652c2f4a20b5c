"""ReviewApp: the `reader review` application (one screen, the help, the command palette)."""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import App, SystemCommand
from textual.screen import Screen

from ..resources import stylesheet
from ..review.workspace import Review
from .screens.help import (
    GLOBAL_BINDINGS,
    HelpScreen,
    InertNotifications,
    palette_commands,
    screen_below,
)
from .screens.keys import OrderedKeys
from .screens.review import ReviewScreen, review_screen

REVIEW_APP_BINDINGS = GLOBAL_BINDINGS

class ReviewApp(OrderedKeys, InertNotifications, App[None]):
    CSS_PATH = str(stylesheet())
    TITLE = "reader review"
    BINDINGS = [*REVIEW_APP_BINDINGS]  # a list of the base class's BindingType

    def __init__(self, review: Review) -> None:
        super().__init__()
        self.review = review

    def on_mount(self) -> None:
        self.push_screen(review_screen(self.review))
        from .widgets.status_line import warnings_to_notify

        for warning in warnings_to_notify(list(self.review.warnings)):
            self.notify(warning, severity="warning", timeout=12)

    @property
    def review_screen(self) -> ReviewScreen:
        return screen_below(self.screen_stack, ReviewScreen)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            sections = [
                ("Review", self.review_screen.help_bindings()),
                ("Anywhere", REVIEW_APP_BINDINGS),
            ]
            self.push_screen(HelpScreen(sections))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if not isinstance(screen, ReviewScreen):
            return
        yield from palette_commands(screen, screen.palette_bindings())


def make_review_app(review: Review) -> ReviewApp:
    """The one factory the CLI, the tests and the benchmark use."""
    return ReviewApp(review)
