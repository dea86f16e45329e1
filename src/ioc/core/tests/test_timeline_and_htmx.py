import pytest
from django.template import engines
from django.test import RequestFactory

from ioc.accounts.tests.factories import AgencyFactory, UserFactory
from ioc.core.htmx import htmx_partial
from ioc.core.selectors import timeline_for
from ioc.core.services import timeline_record

pytestmark = pytest.mark.django_db


def test_timeline_records_who_did_what_from_what_to_what_and_why():
    # given
    agency = AgencyFactory()
    operator = UserFactory(role="operator", username="op")

    # when
    timeline_record(
        target=agency, actor=operator, verb="renamed", from_state="A", to_state="B", reason="typo"
    )
    timeline_record(target=agency, verb="synced", actor_label="api key: connector")

    # then
    events = list(timeline_for(target=agency))
    assert [
        (e.verb, e.actor, e.actor_label, e.from_state, e.to_state, e.reason) for e in events
    ] == [
        ("renamed", operator, "op", "A", "B", "typo"),
        ("synced", None, "api key: connector", "", "", ""),
    ]


def test_htmx_partial_is_true_only_for_non_boosted_htmx_requests(client):
    factory = RequestFactory()
    plain = factory.get("/")
    fragment = factory.get("/", HTTP_HX_REQUEST="true")
    boosted = factory.get("/", HTTP_HX_REQUEST="true", HTTP_HX_BOOSTED="true")
    from django_htmx.middleware import HtmxDetails

    for request in (plain, fragment, boosted):
        request.htmx = HtmxDetails(request)

    assert [htmx_partial(r) for r in (plain, fragment, boosted)] == [False, True, False]


def test_every_response_varies_on_hx_request(client):
    response = client.get("/healthz")

    assert "HX-Request" in response["Vary"]


def test_template_partials_are_available_to_fragments():
    template = engines["django"].from_string(
        "{% partialdef row %}<tr>{{ n }}</tr>{% endpartialdef %}[{% partial row %}]"
    )

    assert template.render({"n": 7}) == "[<tr>7</tr>]"
