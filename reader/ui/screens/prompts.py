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
from textual.containers import Horizontal, Vertical
from textual.events import Key
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from ...annotate.schema import Label, normalise_key
from ...annotate.session import TargetSuggestions
from ...printable import inert
from ...reading.marks import quoted


@dataclass(frozen=True)
class StanceChoice:
    label: str
    target: str | None
    holder: str | None


def _quoted(text: str, width: int = 70) -> str:
    words = inert(" ".join(text.split()))
    return quoted(words if len(words) <= width else words[: width - 1] + "…")


class TargetList(OptionList, can_focus=False):
    """Suggestions under the target field. It never takes the focus, so Tab always goes
    target → holder → target; ↑/↓ in the target field move its highlight."""


NEW = "\0new"


class StancePrompt(ModalScreen[StanceChoice | None]):
    """Pick the stance with one key, then the target (type to filter, or type a new one),
    Tab to the holder, Enter. The holder is prefilled with the quote's speaker when there
    is one. The line above the keys says exactly what Enter saves."""

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
        self.suggestions = TargetSuggestions(targets)
        self.span_text = span_text
        self.label = label
        self.initial_target = inert(target)
        self.initial_holder = inert(holder)
        self._raw_holder = holder.strip()
        self._new_target = ""
        self._more = False

    def compose(self) -> ComposeResult:
        with Vertical(id="prompt-box") as box:
            box.border_title = "Stance"
            yield Static(_quoted(self.span_text), id="prompt-span", markup=False)
            yield Static(id="stance-labels")
            with Horizontal(classes="field", id="target-field"):
                yield Static("target", classes="field-name")
                yield Input(self.initial_target, placeholder="type or pick", id="target")
            yield TargetList(id="targets")
            with Horizontal(classes="field", id="holder-field"):
                yield Static("holder", classes="field-name")
                yield Input(self.initial_holder, placeholder="who holds it (optional)", id="holder")
            yield Static(id="prompt-preview")
            yield Static(
                "[b]Enter[/] save · [b]Tab[/] target ⇄ holder · [b]↑↓[/] pick a target · "
                "[b]Esc[/] cancel",
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
        self._preview()

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
        self._preview()

    # --- step 2: the target and the holder ----------------------------------------------
    @on(Input.Changed, "#target")
    def _target_typed(self, event: Input.Changed) -> None:
        self._filter(event.value)
        self._preview()

    @on(Input.Changed, "#holder")
    def _holder_typed(self) -> None:
        self._preview()

    def _filter(self, typed: str) -> None:
        """At most a screenful of targets containing what was typed; a typed target not
        in the list comes first. The rule is `TargetSuggestions`'."""
        found = self.suggestions.suggest(typed)
        options = self.query_one("#targets", TargetList)
        options.clear_options()
        self._new_target = found.new or ""
        if found.new:
            options.add_option(Option(Text.assemble(("new: ", "dim"), inert(found.new)), id=NEW))
        options.add_options(Option(inert(target), id=target) for target in found.matches)
        if found.more:
            options.add_option(
                Option(Text("… more: keep typing to narrow", style="dim"), disabled=True)
            )
        self._more = found.more
        options.display = options.option_count > 0
        if found.chosen is not None and options.option_count:
            chosen_id = NEW if found.chosen == found.new and found.new else found.chosen
            options.highlighted = options.get_option_index(chosen_id)

    def action_move(self, delta: int) -> None:
        options = self.query_one("#targets", TargetList)
        last = options.option_count - 1 - (1 if self._more else 0)
        if last >= 0:
            current = options.highlighted or 0
            options.highlighted = max(0, min(last, current + delta))
            self._preview()

    def _chosen_target(self) -> str | None:
        options = self.query_one("#targets", TargetList)
        if options.option_count and options.highlighted is not None:
            option = options.get_option_at_index(options.highlighted)
            if option.id == NEW:
                return self._new_target
            if option.id is not None:
                return option.id
        typed = self.query_one("#target", Input).value.strip()
        return typed or None

    def _holder(self) -> str | None:
        shown = self.query_one("#holder", Input).value.strip()
        if shown and shown == inert(self._raw_holder):
            return self._raw_holder  # the prefilled holder, shown with visible escapes
        return shown or None

    def _preview(self) -> None:
        """Exactly what Enter saves, in words."""
        line = Text("Enter saves: ", style="dim")
        if self.label is None:
            line.append("nothing yet: press a stance key", style="dim italic")
        else:
            target, holder = self._chosen_target(), self._holder()
            line.append(self.label.name, style=f"bold {self.label.color}")
            line.append(" → ")
            line.append(inert(target) if target else "(no target)", style="bold")
            line.append(" · holder: ")
            line.append(inert(holder) if holder else "(none)", style="bold")
        self.query_one("#prompt-preview", Static).update(line)

    @on(Input.Submitted)
    def _submitted(self) -> None:
        if self.label is None:
            return
        self.dismiss(StanceChoice(self.label.name, self._chosen_target(), self._holder()))

    @on(OptionList.OptionSelected, "#targets")
    def _target_clicked(self, event: OptionList.OptionSelected) -> None:
        self.query_one("#targets", TargetList).highlighted = event.option_index
        self._submitted()

    def action_cancel(self) -> None:
        self.dismiss(None)


class ChoicePrompt(ModalScreen[int | None]):
    """One key picks one of several annotations (`1`…`9`); Esc picks none."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, choices: list[str]) -> None:
        super().__init__()
        self.title_text = title
        self.choices = choices[:9]

    def compose(self) -> ComposeResult:
        with Vertical(id="prompt-box") as box:
            box.border_title = inert(self.title_text)
            lines = Text()
            for number, choice in enumerate(self.choices, start=1):
                if number > 1:
                    lines.append("\n")
                lines.append(f" {number} ", "bold reverse")
                lines.append(" ")
                lines.append(inert(choice))
            yield Static(lines, id="choices")
            yield Static(
                f"[b]1[/]…[b]{len(self.choices)}[/] choose · [b]Esc[/] cancel", id="prompt-hint"
            )

    def on_key(self, event: Key) -> None:
        character = event.character or ""
        if character.isdigit() and 1 <= int(character) <= len(self.choices):
            event.stop()
            self.dismiss(int(character) - 1)

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
            box.border_title = inert(self.title_text)
            yield Static(_quoted(self.span_text), id="prompt-span", markup=False)
            yield Input(inert(self.note), placeholder="note (empty clears it)", id="note")
            yield Static("[b]Enter[/] save · [b]Esc[/] cancel", id="prompt-hint")

    def on_mount(self) -> None:
        self.query_one("#note", Input).focus()

    @on(Input.Submitted, "#note")
    def _submitted(self, event: Input.Submitted) -> None:
        note = event.value.strip()
        if note == inert(self.note).strip():
            note = self.note.strip()  # unchanged: shown with visible escapes, kept as it is
        self.dismiss(note)

    def action_cancel(self) -> None:
        self.dismiss(None)
