"""Sidebar entries of the shell that every staff role shares.

The geo app's page is registered here too: roles belong to accounts, and geo (which
accounts depends on) must not import them.
"""

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
            key="agencies",
            label=_("Agencies"),
            url_name="accounts:agency-list",
            icon="building",
            roles=Role.STAFF,
            order=900,
            section=_("Reference"),
            description=_("Who is responsible: departments, communes, utilities, police."),
        )
    )
    register(
        NavItem(
            key="communes",
            label=_("Communes and wards"),
            url_name="geo:commune-list",
            icon="map",
            roles=Role.STAFF,
            order=910,
            section=_("Reference"),
            description=_("The communes since July 2025 and the units they replaced."),
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
