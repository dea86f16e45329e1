"""Who sees and who acts on which reports: the role matrix through restrict()."""

import pytest
from django.contrib.auth.models import AnonymousUser

from ioc.accounts.tests.factories import api_key
from ioc.core.access import restrict
from ioc.reports import services
from ioc.reports.models import Report
from ioc.reports.tests.conftest import MUI_NE, TUYEN_QUANG

pytestmark = pytest.mark.django_db

ALL = {"own", "sub", "other", "hidden", "citizen_own"}
MATRIX = [
    # role, visible reports, reports the role may act on
    ("anonymous", {"other"}, set()),
    ("citizen", {"other", "citizen_own"}, set()),
    ("staff", {"own", "other"}, {"own"}),
    ("head", {"own", "sub", "other"}, {"own", "sub"}),
    ("sub_staff", {"sub", "other"}, {"sub"}),
    ("other_staff", {"other"}, set()),
    ("operator", ALL, ALL),
    ("leader", ALL, set()),
    ("admin", ALL, ALL),
]


@pytest.fixture
def reports(submit, world, people):
    """own: phan-thiet's, unpublished; sub: its sub-agency's, unpublished; other: power's,
    published; hidden: internal, in triage; citizen_own: the citizen's, unpublished."""
    own = submit()
    sub = services.report_transfer(
        report=submit(), agency=world["sub"], reason="Đội công trình", actor=people["staff"]
    )
    other = submit(category="streetlight", point=MUI_NE)
    key, _raw = api_key(scopes=["reports"])
    hidden = submit(category="internal", point=TUYEN_QUANG, actor=key)
    citizen_own = submit(point=MUI_NE, reporter=people["citizen"])
    Report.objects.filter(pk__in=[own.pk, sub.pk, citizen_own.pk]).update(published=False)
    return {
        "own": own,
        "sub": sub,
        "other": other,
        "hidden": hidden,
        "citizen_own": citizen_own,
    }


def _names(reports, queryset):
    ids = set(queryset.values_list("pk", flat=True))
    return {name for name, report in reports.items() if report.pk in ids}


@pytest.mark.parametrize(("role", "visible", "actionable"), MATRIX)
def test_report_access_matrix(reports, people, role, visible, actionable):
    user = AnonymousUser() if role == "anonymous" else people[role]

    assert _names(reports, restrict(Report.objects.all(), user, "view")) == visible
    assert _names(reports, restrict(Report.objects.all(), user, "change")) == actionable
    assert _names(reports, restrict(Report.objects.all(), user, "delete")) == (
        ALL if role == "admin" else set()
    )
