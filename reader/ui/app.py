"""ReaderApp: screens, global bindings and the command palette. No business rules here."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from ..corpus import Corpus
from ..errors import ReaderError
from ..resources import stylesheet
from .screens.help import (
    GLOBAL_BINDINGS,
    HelpScreen,
    InertNotifications,
    palette_commands,
    screen_below,
)
from .screens.keys import OrderedKeys
from .screens.reading import (
    ANNOTATION_BINDINGS,
    READING_BINDINGS,
    ReadingScreen,
    reading_screen,
    screen_schema,
)

if TYPE_CHECKING:  # the store is imported by the command that opens it, not at start-up
    from ..annotate.schema import Schema
    from ..annotate.session import AnnotationSession

APP_BINDINGS = GLOBAL_BINDINGS


class ReaderApp(OrderedKeys, InertNotifications, App[None]):
    CSS_PATH = str(stylesheet())
    TITLE = "reader"
    BINDINGS = [*APP_BINDINGS]  # a list of the base class's BindingType

    def __init__(
        self,
        corpus: Corpus,
        engine: str | None = None,
        session: AnnotationSession | None = None,
        *,
        open_session: Callable[[], AnnotationSession] | None = None,
        schema: Schema | None = None,
        ask_annotator: Callable[[str], AnnotationSession] | None = None,
        suggest: bool = False,
    ) -> None:
        super().__init__()
        self.suggest = suggest
        self.corpus = corpus
        self.engine = engine
        self.session = session
        self.schema = schema
        self.open_session = open_session
        self.ask_annotator = ask_annotator
        self.startup_error: ReaderError | None = None
        self.exit_messages: list[str] = []  # for stderr once the app is gone (Textual has it)

    def run_and_close(self) -> None:
        """Run until the user quits, then close the store it annotated into; a store it
        could not open (locked, damaged) is raised here, for the CLI to say."""
        try:
            self.run()
        finally:
            if self.session is not None:
                self.session.store.close()
            for message in self.exit_messages:
                print(f"reader: {message}", file=sys.stderr)
        if self.startup_error is not None:
            raise self.startup_error

    def on_mount(self) -> None:
        schema = screen_schema(self.schema, self.session)
        screen = reading_screen(schema)
        self.push_screen(
            screen(
                self.corpus, self.engine, self.session, schema, self.ensure_session, self.suggest
            )
        )
        if self.open_session is not None:
            # The article is painted first; the store (its imports, lock and reading) next,
            # or at once when a key needs it before then (`ensure_session`).
            self.call_after_refresh(self.ensure_session)
        if self.ask_annotator is not None:  # a served tab: whose store, first
            from .screens.annotator_name import AnnotatorNameScreen

            self.push_screen(AnnotatorNameScreen(self.ask_annotator), self.attach_session)
        from .widgets.status_line import warnings_to_notify

        # Problems with the input: notified here, kept in the status line, and printed on
        # stderr by the CLI (after the app, where they would otherwise be the only notice).
        for warning in warnings_to_notify(self.corpus.warnings):
            self.notify(warning, severity="warning", timeout=12)

    def ensure_session(self) -> AnnotationSession | None:
        """Open the store if it is not open yet (once); None if there is none to open."""
        opener, self.open_session = self.open_session, None
        if opener is not None:
            try:
                self.session = opener()
            except ReaderError as exc:  # locked or damaged store: leave it alone, say why
                self.startup_error = exc
                self.exit(return_code=2)
                return None
            self.attach_session(self.session)
        return self.session

    def attach_session(self, session: AnnotationSession | None) -> None:
        """Annotate into `session` from now on; a read-only store (open in another tab or
        process) is said at once, since nothing pressed here will be saved."""
        if session is None:
            return
        self.session = session
        self.reading.attach_session(session)
        if session.store.read_only:
            self.notify(
                f"{session.store.path} is open in another tab or reader: this one is "
                "read-only, nothing you mark here is saved",
                severity="warning",
                timeout=60,
            )

    @property
    def reading(self) -> ReadingScreen:
        return screen_below(self.screen_stack, ReadingScreen)

    def help_sections(self) -> list[tuple[str, list[Binding]]]:
        return [
            ("Reading", READING_BINDINGS),
            ("Labels (from the schema)", self.reading.label_bindings),
            ("Annotating", ANNOTATION_BINDINGS),
            ("Anywhere", APP_BINDINGS),
        ]

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.help_sections()))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        reading = self.reading if isinstance(screen, ReadingScreen) else None
        if reading is None:
            return
        yield from palette_commands(
            reading, [*READING_BINDINGS, *ANNOTATION_BINDINGS, *reading.label_bindings]
        )
        yield SystemCommand("Help: list every key", "Key: ?", self.action_help)


# The one factory the CLI and the tests use to build the app: `ReaderApp` itself.
# `open_session` opens the store just after the first paint (the CLI's way); without a
# session the app only reads (annotation keys say that no store is open). `ask_annotator`
# (a served tab) asks for a name first and opens that name's store with it.
make_app = ReaderApp
