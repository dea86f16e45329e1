"""Sidebar entries of the field reports: the work queue and the dashboard."""

from django.utils.translation import gettext_lazy as _

from ioc.accounts.choices import Role
from ioc.core.navigation import NavItem, register


def register_navigation() -> None:
    register(
        NavItem(
            key="reports-queue",
            label=_("Field reports"),
            url_name="reports:queue",
            icon="megaphone",
            roles=Role.STAFF,
            order=100,
            section=_("Field reports"),
            description=_("Citizens' reports to handle: mine, due soon, overdue, triage."),
        )
    )
    register(
        NavItem(
            key="reports-dashboard",
            label=_("Reports dashboard"),
            url_name="reports:dashboard",
            icon="bar-chart-line",
            roles=frozenset({Role.AGENCY_HEAD, Role.OPERATOR, Role.LEADER, Role.ADMIN}),
            order=110,
            section=_("Field reports"),
            description=_("What is late, where and who: figures, map and trends."),
        )
    )
