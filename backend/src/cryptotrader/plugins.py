"""Named plugin registries (indicators, strategies) and the "did you mean" hint they share.

A registry maps names to classes through an explicit decorator; third-party packages add theirs
through an ``importlib.metadata`` entry-point group. Nothing scans directories for classes.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from importlib.metadata import entry_points
from typing import Generic, TypeVar

from cryptotrader.errors import UnknownNameError

T = TypeVar("T", bound=type)


def did_you_mean(name: str, choices: Iterable[str], *, cutoff: float = 0.6) -> str:
    """``"; did you mean 'x'?"`` for the closest choice to ``name``, or ``""`` if none is close."""
    hint = difflib.get_close_matches(name, list(choices), n=1, cutoff=cutoff)
    return f"; did you mean {hint[0]!r}?" if hint else ""


class Registry(Generic[T]):
    """Classes of one kind, registered by name.

    Args:
        kind: what the classes are, for messages (``indicator``, ``strategy``).
        entry_point_group: the entry-point group third-party packages register under.

    Example:
        >>> registry: Registry[type] = Registry("widget", "example.widgets")
        >>> @registry.register("knob")
        ... class Knob: ...
        >>> registry.get("knob").__name__
        'Knob'
    """

    def __init__(self, kind: str, entry_point_group: str) -> None:
        self.kind = kind
        self._group = entry_point_group
        self._classes: dict[str, T] = {}
        self._entry_points_loaded = False

    def register(self, name: str) -> Callable[[T], T]:
        """Class decorator registering a class under ``name`` (and setting its ``name``).

        Raises:
            ValueError: ``name`` is already registered by another class.
        """

        def decorate(cls: T) -> T:
            existing = self._classes.get(name)
            if existing is not None and existing is not cls:
                raise ValueError(
                    f"{self.kind} {name!r} is already registered by {existing.__name__}"
                )
            cls.name = name  # type: ignore[attr-defined] # plugin classes declare a ClassVar name
            self._classes[name] = cls
            return cls

        return decorate

    def unregister(self, name: str) -> None:
        """Remove ``name`` (tests, plugin reloads); unknown names are ignored."""
        self._classes.pop(name, None)

    def get(self, name: str) -> T:
        """The class registered under ``name``.

        Raises:
            UnknownNameError: no class has that name; the message suggests the closest one.
        """
        self._load_entry_points()
        try:
            return self._classes[name]
        except KeyError:
            known = ", ".join(sorted(self._classes))
            hint = did_you_mean(name, self._classes)
            raise UnknownNameError(f"unknown {self.kind} {name!r} (known: {known}){hint}") from None

    def names(self) -> list[str]:
        """Every registered name, sorted."""
        self._load_entry_points()
        return sorted(self._classes)

    def _load_entry_points(self) -> None:
        if self._entry_points_loaded:
            return
        self._entry_points_loaded = True
        for entry in entry_points(group=self._group):
            entry.load()  # importing the module runs its registration decorators
