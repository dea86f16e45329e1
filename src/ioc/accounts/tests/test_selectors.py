"""The read side: each selector answers through restrict()."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from ioc.accounts.choices import AgencyKind, ApiScope, Role
from ioc.accounts.selectors import agency_get, agency_list, apikey_list, user_list
from ioc.accounts.tests.factories import AgencyFactory, UserFactory, api_key

pytestmark = pytest.mark.django_db


def test_agency_list_filters_by_kind_among_what_the_user_sees():
    # given
    AgencyFactory(code="so-y-te", kind=AgencyKind.DEPARTMENT)
    AgencyFactory(code="ubnd-22924", kind=AgencyKind.COMMUNE_COMMITTEE)
    AgencyFactory(code="ubnd-22918", kind=AgencyKind.COMMUNE_COMMITTEE, is_active=False)

    # when
    public = agency_list(user=AnonymousUser(), kind=AgencyKind.COMMUNE_COMMITTEE)
    operator = agency_list(user=UserFactory(role=Role.OPERATOR), kind=AgencyKind.COMMUNE_COMMITTEE)

    # then
    assert sorted(agency.code for agency in public) == ["ubnd-22924"]
    assert sorted(agency.code for agency in operator) == ["ubnd-22918", "ubnd-22924"]


def test_agency_get_answers_404_for_an_agency_the_user_may_not_see():
    # given
    AgencyFactory(code="ubnd-22918", is_active=False)

    # when
    with pytest.raises(Http404):
        agency_get(user=AnonymousUser(), code="ubnd-22918")
    found = agency_get(user=UserFactory(role=Role.LEADER), code="ubnd-22918")

    # then
    assert found.code == "ubnd-22918"


def test_user_list_of_an_agency_head_is_their_agency_in_username_order():
    # given
    agency = AgencyFactory(code="so-y-te")
    head = UserFactory(username="hung", role=Role.AGENCY_HEAD, agency=agency)
    UserFactory(username="an", role=Role.AGENCY_STAFF, agency=agency)
    UserFactory(username="binh", role=Role.AGENCY_STAFF)

    # when
    users = user_list(user=head)

    # then
    assert [user.username for user in users] == ["an", "hung"]


def test_apikey_list_is_empty_for_agency_staff_and_full_for_an_administrator():
    # given
    agency = AgencyFactory(code="so-khcn")
    key, _ = api_key(scopes=[ApiScope.READ], agency=agency)

    # when
    staff_sees = list(apikey_list(user=UserFactory(role=Role.AGENCY_STAFF, agency=agency)))
    admin_sees = list(apikey_list(user=UserFactory(role=Role.ADMIN)))

    # then
    assert (staff_sees, admin_sees) == ([], [key])
