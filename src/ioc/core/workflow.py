"""Workflows declared as tables: states, allowed moves, and one check that refuses the rest."""

from collections.abc import Mapping

from django.utils.translation import gettext as _


class IllegalTransition(ValueError):
    """A move the workflow table does not allow; the message names both states."""


class Workflow:
    def __init__(self, transitions: Mapping[str, set[str] | frozenset[str]]):
        self.transitions = {source: frozenset(targets) for source, targets in transitions.items()}

    def allowed(self, source: str) -> frozenset[str]:
        return self.transitions.get(source, frozenset())

    def check(self, source: str, target: str) -> None:
        if target not in self.allowed(source):
            raise IllegalTransition(
                _("Cannot move from “%(source)s” to “%(target)s”.")
                % {"source": source, "target": target}
            )
