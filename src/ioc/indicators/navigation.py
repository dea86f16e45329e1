"""Sidebar entries of the indicators: the four sector dashboards, data entry, imports and
the catalogue."""

from django.utils.translation import gettext_lazy as _

from ioc.accounts.choices import Role
from ioc.core.navigation import NavItem, register

ENTRY_ROLES = frozenset({Role.AGENCY_STAFF, Role.AGENCY_HEAD, Role.OPERATOR, Role.ADMIN})


def register_navigation() -> None:
    dashboards = (
        ("socio-economic", _("Socio-economic"), "graph-up-arrow"),
        ("health", _("Health"), "heart-pulse"),
        ("education", _("Education"), "mortarboard"),
        ("tourism", _("Tourism"), "airplane"),
    )
    for order, (code, label, icon) in enumerate(dashboards):
        register(
            NavItem(
                key=f"indicators-{code}",
                label=label,
                url_name=f"indicators:dashboard-{code}",
                icon=icon,
                roles=Role.STAFF,
                order=300 + order,
                section=_("Indicators"),
                description=_("Headline figures, trends, map and ranking of the sector."),
            )
        )
    register(
        NavItem(
            key="indicators-entry",
            label=_("Data entry"),
            url_name="indicators:entry",
            icon="pencil-square",
            roles=ENTRY_ROLES,
            order=310,
            section=_("Indicators"),
            description=_("Enter your agency's figures for a period and a unit."),
        )
    )
    register(
        NavItem(
            key="indicators-data-sets",
            label=_("Data sets"),
            url_name="indicators:data-sets",
            icon="collection",
            roles=ENTRY_ROLES | {Role.LEADER},
            order=312,
            section=_("Indicators"),
            description=_("Who reports what, by when: completeness and approval."),
        )
    )
    register(
        NavItem(
            key="indicators-import",
            label=_("Import data"),
            url_name="indicators:import",
            icon="upload",
            roles=ENTRY_ROLES,
            order=311,
            section=_("Indicators"),
            description=_("Upload a DHIS2 JSON or CSV file or the XLSX template."),
        )
    )
    register(
        NavItem(
            key="indicators-catalogue",
            label=_("Indicator catalogue"),
            url_name="indicators:catalogue",
            icon="list-columns",
            roles=frozenset({Role.ADMIN}),
            order=313,
            section=_("Indicators"),
            description=_("Add and adjust the indicators the province tracks."),
        )
    )
