"""Roles, agency kinds and API key scopes."""

from django.utils.translation import gettext_lazy as _

from ioc.core.choices import ChoiceSet


class Role(ChoiceSet):
    CITIZEN = "citizen"
    AGENCY_STAFF = "agency_staff"
    AGENCY_HEAD = "agency_head"
    OPERATOR = "operator"
    LEADER = "leader"
    ADMIN = "admin"

    CHOICES = [
        (CITIZEN, _("Citizen"), "secondary"),
        (AGENCY_STAFF, _("Agency staff"), "info"),
        (AGENCY_HEAD, _("Agency head"), "primary"),
        (OPERATOR, _("IOC operator"), "warning"),
        (LEADER, _("Leader"), "success"),
        (ADMIN, _("Administrator"), "danger"),
    ]

    STAFF = frozenset({AGENCY_STAFF, AGENCY_HEAD, OPERATOR, LEADER, ADMIN})
    AGENCY = frozenset({AGENCY_STAFF, AGENCY_HEAD})
    WHOLE_DEPLOYMENT = frozenset({OPERATOR, LEADER, ADMIN})


class AgencyKind(ChoiceSet):
    DEPARTMENT = "department"
    COMMUNE_COMMITTEE = "commune_committee"
    UTILITY = "utility"
    POLICE = "police"
    PROVINCIAL_COMMITTEE = "provincial_committee"
    OTHER = "other"

    CHOICES = [
        (PROVINCIAL_COMMITTEE, _("Provincial People's Committee"), "danger"),
        (DEPARTMENT, _("Provincial department"), "primary"),
        (COMMUNE_COMMITTEE, _("Commune People's Committee"), "success"),
        (UTILITY, _("Public utility"), "info"),
        (POLICE, _("Police"), "dark"),
        (OTHER, _("Other"), "secondary"),
    ]


class ApiScope(ChoiceSet):
    OPEN311 = "open311"
    REPORTS = "reports"
    INDICATORS = "indicators"
    DOSSIERS = "dossiers"
    MONITORING = "monitoring"
    READ = "read"

    CHOICES = [
        (OPEN311, _("Open311 GeoReport v2 clients"), "primary"),
        (REPORTS, _("Field reports"), "primary"),
        (INDICATORS, _("Indicators and data values"), "success"),
        (DOSSIERS, _("Administrative dossiers"), "info"),
        (MONITORING, _("Online information monitoring"), "warning"),
        (READ, _("Read-only access"), "secondary"),
    ]
