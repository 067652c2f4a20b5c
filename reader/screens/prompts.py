"""Small modal prompts of the annotation flow: the stance prompt and the note prompt.

Each returns its answer through `dismiss` (None when cancelled with Esc), so the reading
screen saves nothing unless the person finished the prompt.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.events import Key
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from ..annotation_marks import quoted
from ..schema import Label, normalise_key


@dataclass(frozen=True)
class StanceChoice:
    label: str
    target: str | None
    holder: str | None


def _quoted(text: str, width: int = 70) -> str:
    words = " ".join(text.split())
    return quoted(words if len(words) <= width else words[: width - 1] + "…")


class StancePrompt(ModalScreen[StanceChoice | None]):
    """Pick the stance with one key, then the target (type to filter, or type a new one),
    then Enter. The holder is prefilled with the quote's speaker when there is one."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("down", "move(1)", "Next target", show=False),
        Binding("up", "move(-1)", "Previous target", show=False),
    ]

    def __init__(
        self,
        labels: list[Label],
        targets: list[str],
        span_text: str,
        *,
        label: Label | None = None,
        target: str = "",
        holder: str = "",
    ) -> None:
        super().__init__()
        self.labels = labels
        self.targets = targets
        self.span_text = span_text
        self.label = label
        self.initial_target = target
        self.initial_holder = holder
        self._new_target = ""

    def compose(self) -> ComposeResult:
        with Vertical(id="prompt-box") as box:
            box.border_title = "Stance"
            yield Static(_quoted(self.span_text), id="prompt-span")
            yield Static(id="stance-labels")
            yield Input(self.initial_target, placeholder="target: type or pick", id="target")
            yield OptionList(id="targets")
            yield Input(self.initial_holder, placeholder="holder (optional)", id="holder")
            yield Static(
                "[b]Enter[/] save · [b]Tab[/] holder · [b]↑↓[/] pick a target · [b]Esc[/] cancel",
                id="prompt-hint",
            )

    def on_mount(self) -> None:
        self._show_labels()
        self._filter(self.initial_target)
        if self.label is None:
            for widget in self.query(Input):
                widget.disabled = True
            self.set_focus(None)
        else:
            self.query_one("#target", Input).focus()

    # --- step 1: the stance, one key ------------------------------------------------
    def _show_labels(self) -> None:
        line = Text("Stance: " if self.label else "Press a key: ")
        for label in self.labels:
            chosen = self.label is not None and label.name == self.label.name
            style = f"bold reverse {label.color}" if chosen else f"bold {label.color}"
            line.append(f" {label.key} ", "bold")
            line.append(label.name, style)
            line.append("  ")
        self.query_one("#stance-labels", Static).update(line)

    def on_key(self, event: Key) -> None:
        if self.label is not None:
            return
        key = normalise_key(event.character or event.key)
        chosen = next((label for label in self.labels if label.key == key), None)
        if chosen is None:
            return
        event.stop()
        self.label = chosen
        self._show_labels()
        for widget in self.query(Input):
            widget.disabled = False
        self.query_one("#target", Input).focus()

    # --- step 2: the target -----------------------------------------------------------
    @on(Input.Changed, "#target")
    def _target_typed(self, event: Input.Changed) -> None:
        self._filter(event.value)

    def _filter(self, typed: str) -> None:
        """Targets containing what was typed; a typed target not in the list comes first."""
        typed = typed.strip()
        options = self.query_one("#targets", OptionList)
        options.clear_options()
        wanted = typed.casefold()
        matches = [t for t in self.targets if wanted in t.casefold()]
        exact = next((t for t in matches if t.casefold() == wanted), None)
        self._new_target = typed if typed and exact is None else ""
        if self._new_target:
            options.add_option(Option(Text.assemble(("new: ", "dim"), typed), id="\0new"))
        for target in matches:
            options.add_option(Option(target, id=target))
        options.display = options.option_count > 0
        if options.option_count:
            chosen = exact or (matches[0] if matches else None)
            index = 0
            if chosen is not None:
                index = options.get_option_index(chosen)
            options.highlighted = index

    def action_move(self, delta: int) -> None:
        options = self.query_one("#targets", OptionList)
        if options.option_count:
            current = options.highlighted or 0
            options.highlighted = max(0, min(options.option_count - 1, current + delta))

    def _chosen_target(self) -> str | None:
        options = self.query_one("#targets", OptionList)
        if options.option_count and options.highlighted is not None:
            option = options.get_option_at_index(options.highlighted)
            if option.id == "\0new":
                return self._new_target
            return option.id
        typed = self.query_one("#target", Input).value.strip()
        return typed or None

    @on(Input.Submitted)
    def _submitted(self) -> None:
        if self.label is None:
            return
        holder = self.query_one("#holder", Input).value.strip() or None
        self.dismiss(StanceChoice(self.label.name, self._chosen_target(), holder))

    @on(OptionList.OptionSelected, "#targets")
    def _target_clicked(self) -> None:
        self._submitted()

    def action_cancel(self) -> None:
        self.dismiss(None)


class NotePrompt(ModalScreen[str | None]):
    """Add, change or (left empty) clear an annotation's free-text note."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, span_text: str, note: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.span_text = span_text
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical(id="prompt-box") as box:
            box.border_title = self.title_text
            yield Static(_quoted(self.span_text), id="prompt-span")
            yield Input(self.note, placeholder="note (empty clears it)", id="note")
            yield Static("[b]Enter[/] save · [b]Esc[/] cancel", id="prompt-hint")

    def on_mount(self) -> None:
        self.query_one("#note", Input).focus()

    @on(Input.Submitted, "#note")
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)
