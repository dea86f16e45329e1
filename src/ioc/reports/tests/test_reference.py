"""The per-process cache of the reference data a submission reads (categories, questions,
routing rules, provinces, webhook subscriptions): no query for them on each report, and
a change is seen at once in this process and within the allowed age in the others."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ioc.geo.selectors import locate
from ioc.reports import reference, services
from ioc.reports.choices import ReportSource, ReportStatus
from ioc.reports.models import RoutingRule, WebhookDelivery, WebhookSubscription
from ioc.reports.selectors import routing_resolve
from ioc.reports.tests.conftest import MUI_NE, PHAN_THIET, TUYEN_QUANG

pytestmark = pytest.mark.django_db
REFERENCE_TABLES = (
    "reports_category",
    "reports_categoryattribute",
    "reports_routingrule",
    "reports_webhooksubscription",
    "geo_adminunit",
)


def test_a_second_submission_reads_no_reference_table(submit):
    # given: the first submission fills the cache
    submit(photos=[], source=ReportSource.PHONE)

    # when
    with CaptureQueriesContext(connection) as queries:
        report = submit(photos=[], source=ReportSource.PHONE)

    # then
    read = [q["sql"] for q in queries if any(f'"{t}"' in q["sql"] for t in REFERENCE_TABLES)]
    assert read == []
    assert report.status == ReportStatus.ASSIGNED


@pytest.mark.parametrize("point", [PHAN_THIET, MUI_NE, TUYEN_QUANG])
@pytest.mark.parametrize("category", ["pothole", "streetlight", "noise", None])
def test_cached_routing_agrees_with_routing_resolve(world, point, category):
    # given: also a rule for any category in the province
    province = world["phan_thiet_unit"].parent
    services.routing_rule_create(agency=world["other"], unit=province)
    location = locate(lat=point[0], lon=point[1])
    found = world[category] if category else None

    # when / then
    assert reference.routing_agency(category=found, location=location) == routing_resolve(
        category=found, location=location
    )


def test_rule_saved_in_this_process_applies_to_the_next_report(submit, world):
    # given
    before = submit(category="streetlight", point=PHAN_THIET)

    # when
    services.routing_rule_create(
        agency=world["other"], category=world["streetlight"], unit=world["phan_thiet_unit"]
    )
    after = submit(category="streetlight", point=PHAN_THIET)

    # then
    assert (before.agency, after.agency) == (world["power"], world["other"])


def test_change_made_by_another_process_is_seen_after_the_allowed_age(
    submit, world, settings, monkeypatch
):
    # given: a cache built at t = 1000 s that lives 10 s
    settings.IOC_REPORTS_REFERENCE_SECONDS = 10
    monkeypatch.setattr(reference, "_clock", lambda: 1000.0)
    submit(category="streetlight")
    # another process switches the rule off: an UPDATE, no signal reaches this one
    RoutingRule.objects.filter(category=world["streetlight"]).update(is_active=False)

    # when
    monkeypatch.setattr(reference, "_clock", lambda: 1009.9)
    still_cached = submit(category="streetlight")
    monkeypatch.setattr(reference, "_clock", lambda: 1010.0)
    rebuilt = submit(category="streetlight")

    # then
    assert (still_cached.status, still_cached.agency) == (ReportStatus.ASSIGNED, world["power"])
    assert (rebuilt.status, rebuilt.agency) == (ReportStatus.TRIAGE, None)


def test_new_webhook_subscription_gets_the_next_report(submit):
    # given
    submit(photos=[], source=ReportSource.PHONE)
    subscription = WebhookSubscription.objects.create(
        name="Zalo OA", url="http://127.0.0.1:9/hook", secret="s3cret"
    )

    # when
    report = submit(photos=[], source=ReportSource.PHONE)

    # then
    events = sorted(
        WebhookDelivery.objects.filter(subscription=subscription).values_list("event", flat=True)
    )
    assert events == ["report.status_changed", "report.submitted"]
    assert all(
        d.payload["report"]["tracking_code"] == report.tracking_code
        for d in WebhookDelivery.objects.all()
    )
