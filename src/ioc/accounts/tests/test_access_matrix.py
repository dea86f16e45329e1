"""Who reaches which agencies, users and API keys through restrict(): one row per role x action.

A change of rule shows up as one failing row. The world: the subject's agency "own" with
a sub-agency "child", an unrelated "other" and an "inactive_other"; agency roles belong
to "own", the other roles to no agency.
"""

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser

from ioc.accounts.choices import Role
from ioc.accounts.models import Agency, ApiKey, User
from ioc.accounts.tests.factories import AgencyFactory, UserFactory, api_key
from ioc.core.access import restrict

ANONYMOUS = "anonymous"
ALL_AGENCIES = {"own", "child", "other", "inactive_other"}
ALL_USERS = {"self", "colleague", "child_member", "other_member"}
ALL_KEYS = {"own_agency_key", "unattached_key"}

AGENCY_MATRIX = [
    # role, action, agencies reached
    (ANONYMOUS, "view", {"own", "child", "other"}),
    (ANONYMOUS, "change", set()),
    (ANONYMOUS, "delete", set()),
    (Role.CITIZEN, "view", {"own", "child", "other"}),
    (Role.CITIZEN, "change", set()),
    (Role.CITIZEN, "delete", set()),
    (Role.AGENCY_STAFF, "view", {"own", "child", "other"}),
    (Role.AGENCY_STAFF, "change", set()),
    (Role.AGENCY_STAFF, "delete", set()),
    (Role.AGENCY_HEAD, "view", {"own", "child", "other"}),
    (Role.AGENCY_HEAD, "change", {"own", "child"}),
    (Role.AGENCY_HEAD, "delete", set()),
    (Role.OPERATOR, "view", ALL_AGENCIES),
    (Role.OPERATOR, "change", ALL_AGENCIES),
    (Role.OPERATOR, "delete", set()),
    (Role.LEADER, "view", ALL_AGENCIES),
    (Role.LEADER, "change", set()),
    (Role.LEADER, "delete", set()),
    (Role.ADMIN, "view", ALL_AGENCIES),
    (Role.ADMIN, "change", ALL_AGENCIES),
    (Role.ADMIN, "delete", ALL_AGENCIES),
]

USER_MATRIX = [
    # role, action, users reached ("self" does not exist for the anonymous visitor)
    (ANONYMOUS, "view", set()),
    (ANONYMOUS, "change", set()),
    (ANONYMOUS, "delete", set()),
    (Role.CITIZEN, "view", {"self"}),
    (Role.CITIZEN, "change", {"self"}),
    (Role.CITIZEN, "delete", set()),
    (Role.AGENCY_STAFF, "view", {"self", "colleague"}),
    (Role.AGENCY_STAFF, "change", {"self"}),
    (Role.AGENCY_STAFF, "delete", set()),
    (Role.AGENCY_HEAD, "view", {"self", "colleague", "child_member"}),
    (Role.AGENCY_HEAD, "change", {"self", "colleague", "child_member"}),
    (Role.AGENCY_HEAD, "delete", set()),
    (Role.OPERATOR, "view", ALL_USERS),
    (Role.OPERATOR, "change", {"self"}),
    (Role.OPERATOR, "delete", set()),
    (Role.LEADER, "view", ALL_USERS),
    (Role.LEADER, "change", set()),
    (Role.LEADER, "delete", set()),
    (Role.ADMIN, "view", ALL_USERS),
    (Role.ADMIN, "change", ALL_USERS),
    (Role.ADMIN, "delete", ALL_USERS),
]

APIKEY_MATRIX = [
    # role, action, keys reached
    (ANONYMOUS, "view", set()),
    (ANONYMOUS, "change", set()),
    (ANONYMOUS, "delete", set()),
    (Role.CITIZEN, "view", set()),
    (Role.CITIZEN, "change", set()),
    (Role.CITIZEN, "delete", set()),
    (Role.AGENCY_STAFF, "view", set()),
    (Role.AGENCY_STAFF, "change", set()),
    (Role.AGENCY_STAFF, "delete", set()),
    (Role.AGENCY_HEAD, "view", set()),
    (Role.AGENCY_HEAD, "change", set()),
    (Role.AGENCY_HEAD, "delete", set()),
    (Role.OPERATOR, "view", set()),
    (Role.OPERATOR, "change", set()),
    (Role.OPERATOR, "delete", set()),
    (Role.LEADER, "view", set()),
    (Role.LEADER, "change", set()),
    (Role.LEADER, "delete", set()),
    (Role.ADMIN, "view", ALL_KEYS),
    (Role.ADMIN, "change", ALL_KEYS),
    (Role.ADMIN, "delete", ALL_KEYS),
]


def _row_id(row: tuple) -> str:
    return f"{row[0]}-{row[1]}"


@pytest.fixture
def world(db):
    own = AgencyFactory(code="own")
    child = AgencyFactory(code="child", parent=own)
    other = AgencyFactory(code="other")
    inactive_other = AgencyFactory(code="inactive-other", is_active=False)
    own_agency_key, _ = api_key(scopes=["reports"], agency=own)
    unattached_key, _ = api_key(scopes=["read"])
    return SimpleNamespace(
        agencies={"own": own, "child": child, "other": other, "inactive_other": inactive_other},
        users={
            "colleague": UserFactory(username="colleague", role=Role.AGENCY_STAFF, agency=own),
            "child_member": UserFactory(
                username="child-member", role=Role.AGENCY_STAFF, agency=child
            ),
            "other_member": UserFactory(
                username="other-member", role=Role.AGENCY_STAFF, agency=other
            ),
        },
        keys={"own_agency_key": own_agency_key, "unattached_key": unattached_key},
    )


def _subject(role: str, world) -> User | AnonymousUser:
    if role == ANONYMOUS:
        return AnonymousUser()
    agency = world.agencies["own"] if role in Role.AGENCY else None
    return UserFactory(username="subject", role=role, agency=agency)


def _reached(model, named: dict, user, action: str) -> set[str]:
    names = {obj.pk: name for name, obj in named.items()}
    pks = restrict(model.objects.filter(pk__in=names), user, action).values_list("pk", flat=True)
    return {names[pk] for pk in pks}


@pytest.mark.parametrize(
    ("role", "action", "expected"), AGENCY_MATRIX, ids=[_row_id(row) for row in AGENCY_MATRIX]
)
def test_agencies_reached_by_role_and_action(world, role, action, expected):
    # given
    user = _subject(role, world)

    # when
    reached = _reached(Agency, world.agencies, user, action)

    # then
    assert reached == expected


@pytest.mark.parametrize(
    ("role", "action", "expected"), USER_MATRIX, ids=[_row_id(row) for row in USER_MATRIX]
)
def test_users_reached_by_role_and_action(world, role, action, expected):
    # given
    user = _subject(role, world)
    named = dict(world.users)
    if role != ANONYMOUS:
        named["self"] = user

    # when
    reached = _reached(User, named, user, action)

    # then
    assert reached == expected


@pytest.mark.parametrize(
    ("role", "action", "expected"), APIKEY_MATRIX, ids=[_row_id(row) for row in APIKEY_MATRIX]
)
def test_api_keys_reached_by_role_and_action(world, role, action, expected):
    # given
    user = _subject(role, world)

    # when
    reached = _reached(ApiKey, world.keys, user, action)

    # then
    assert reached == expected


def test_a_deactivated_user_reaches_nothing(world):
    # given
    user = UserFactory(role=Role.ADMIN, is_active=False)

    # when
    reached = _reached(Agency, world.agencies, user, "view")

    # then
    assert reached == set()


def test_an_agency_users_reach_is_read_once_per_user_object(world, django_assert_num_queries):
    # given: a head whose first restrict() has read the agency tree and its units
    head = UserFactory(role=Role.AGENCY_HEAD, agency=world.agencies["own"])
    assert _reached(Agency, world.agencies, head, "change") == {"own", "child"}

    # when: a page restricts two more querysets with the same user object
    with django_assert_num_queries(2):  # the two restricted SELECTs, nothing more
        first = _reached(Agency, world.agencies, head, "change")
        second = _reached(Agency, world.agencies, head, "view")

    # then
    assert first == {"own", "child"}
    assert second == {"own", "child", "other"}  # an inactive agency is not public


def test_an_agency_users_reach_follows_a_change_of_agency(world):
    # given
    user = UserFactory(role=Role.AGENCY_HEAD, agency=world.agencies["own"])
    assert _reached(Agency, world.agencies, user, "change") == {"own", "child"}

    # when
    user.agency = world.agencies["other"]

    # then
    assert _reached(Agency, world.agencies, user, "change") == {"other"}
