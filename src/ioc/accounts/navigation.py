"""Sidebar entries of the shell that every staff role shares."""

from django.utils.translation import gettext_lazy as _

from ioc.accounts.choices import Role
from ioc.core.navigation import NavItem, register


def register_navigation() -> None:
    register(
        NavItem(
            key="overview",
            label=_("Overview"),
            url_name="staff-home",
            icon="speedometer2",
            roles=Role.STAFF,
            order=0,
            description=_("Your figures and modules at a glance."),
        )
    )
    register(
        NavItem(
            key="admin",
            label=_("System administration"),
            url_name="admin:index",
            icon="gear",
            roles=frozenset({Role.ADMIN}),
            order=1000,
            section=_("Administration"),
            description=_("Users, agencies, API keys, holidays and reference data."),
        )
    )
