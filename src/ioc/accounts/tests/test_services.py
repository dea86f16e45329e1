"""Agencies, users and roles: the services validate, write, and leave a timeline row."""

import pytest
from django.contrib.auth.hashers import check_password
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils import translation

from ioc.accounts.choices import AgencyKind, Role
from ioc.accounts.services import (
    PASSWORD_ALPHABET,
    agency_create,
    agency_update,
    user_create,
    user_set_password,
    user_set_role,
)
from ioc.accounts.tests.factories import AgencyFactory, UserFactory
from ioc.core.models import TimelineEvent
from ioc.geo.choices import Level, Structure
from ioc.geo.models import AdminUnit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _events(obj) -> list[tuple]:
    events = TimelineEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
    )
    return [(e.verb, e.from_state, e.to_state, e.actor_label, e.data) for e in events]


def _commune(code: str) -> AdminUnit:
    return AdminUnit.objects.create(
        code=code, structure=Structure.CURRENT, level=Level.COMMUNE, name=f"Phường {code}"
    )


def test_agency_create_saves_the_agency_its_areas_and_a_timeline_row():
    # given
    province = AgencyFactory(code="ubnd-tinh")
    actor = UserFactory(username="quantri", role=Role.ADMIN)
    ward = _commune("22924")

    # when
    agency = agency_create(
        code="ubnd-22924",
        name="Ủy ban nhân dân Phường Phú Thủy",
        name_en="People's Committee of Phu Thuy Ward",
        short_name="UBND Phú Thủy",
        kind=AgencyKind.COMMUNE_COMMITTEE,
        parent=province,
        units=[ward],
        actor=actor,
    )

    # then
    agency.refresh_from_db()
    assert (agency.code, agency.short_name, agency.parent, agency.is_active) == (
        "ubnd-22924",
        "UBND Phú Thủy",
        province,
        True,
    )
    assert list(agency.units.values_list("code", flat=True)) == ["22924"]
    assert _events(agency) == [
        (
            "created",
            "",
            "",
            "quantri",
            {"kind": "commune_committee", "parent": "ubnd-tinh", "units": 1},
        )
    ]


def test_agency_create_names_the_bad_fields():
    # given
    AgencyFactory(code="so-y-te")

    # when
    with pytest.raises(ValidationError) as error:
        agency_create(code="so-y-te", name="Sở Y tế", kind="ministry")

    # then
    assert error.value.message_dict == {
        "code": ["Agency with this Code already exists."],
        "kind": ["Value 'ministry' is not a valid choice."],
    }


def test_agency_update_changes_fields_and_areas_and_records_old_and_new_values():
    # given
    agency = AgencyFactory(code="so-y-te", name="Sở Y tế", phone="")
    ward = _commune("22924")

    # when
    agency_update(agency=agency, data={"phone": "0252 3822 565", "name": "Sở Y tế"}, units=[ward])

    # then
    agency.refresh_from_db()
    assert agency.phone == "0252 3822 565"
    assert _events(agency) == [
        (
            "changed",
            "",
            "",
            "system",
            {"changed": {"phone": ["", "0252 3822 565"], "units": [[], ["22924"]]}},
        )
    ]


def test_agency_update_without_a_change_writes_nothing():
    # given
    agency = AgencyFactory(code="so-y-te", name="Sở Y tế")

    # when
    agency_update(agency=agency, data={"name": "Sở Y tế"})

    # then
    assert _events(agency) == []


def test_agency_update_refuses_the_code_and_unknown_fields():
    # given
    agency = AgencyFactory(code="so-y-te")

    # when
    with pytest.raises(ValidationError) as error:
        agency_update(agency=agency, data={"code": "so-y-te-2"})

    # then
    assert error.value.message_dict == {
        "code": [
            "This field cannot be changed; changeable fields: email, is_active, kind, name, "
            "name_en, parent, phone, short_name."
        ]
    }


def test_agency_update_refuses_to_put_an_agency_below_its_own_sub_agency():
    # given
    province = AgencyFactory(code="ubnd-tinh")
    department = AgencyFactory(code="so-y-te", parent=province)

    # when
    with pytest.raises(ValidationError) as error:
        agency_update(agency=province, data={"parent": department})

    # then
    assert error.value.message_dict == {
        "parent": ["An agency cannot be placed below itself or one of its sub-agencies."]
    }
    province.refresh_from_db()
    assert province.parent is None


def test_user_create_without_a_password_generates_a_strong_one_and_returns_it():
    # given
    agency = AgencyFactory(code="so-y-te")

    # when
    user, password = user_create(
        username="lan.nguyen", role=Role.AGENCY_STAFF, agency=agency, email="Lan@Example.VN"
    )

    # then
    user.refresh_from_db()
    assert len(password) == 20
    assert set(password) <= set(PASSWORD_ALPHABET)
    assert check_password(password, user.password)
    assert (user.role, user.agency, user.email, user.is_staff, user.is_superuser) == (
        Role.AGENCY_STAFF,
        agency,
        "Lan@example.vn",
        False,
        False,
    )
    assert _events(user) == [("created", "", "agency_staff", "system", {"agency": "so-y-te"})]


def test_user_create_with_a_password_returns_none_for_it():
    # when
    user, password = user_create(
        username="quantri", role=Role.ADMIN, password="correct horse battery"
    )

    # then
    assert password is None
    assert user.check_password("correct horse battery")
    assert (user.is_staff, user.is_superuser) == (True, True)


def test_user_create_requires_an_agency_for_agency_roles():
    # when
    with pytest.raises(ValidationError) as error:
        user_create(username="minh", role=Role.AGENCY_HEAD)

    # then
    assert error.value.message_dict == {
        "agency": ["Agency staff and agency heads belong to an agency: choose one."]
    }


def test_user_create_names_an_unknown_role():
    # when
    with pytest.raises(ValidationError) as error:
        user_create(username="minh", role="mayor")

    # then
    assert error.value.message_dict == {
        "role": [
            "Unknown role “mayor”; expected one of: citizen, agency_staff, agency_head, "
            "operator, leader, admin."
        ]
    }


def test_user_create_refuses_a_weak_password_and_a_taken_username():
    # given
    UserFactory(username="minh")

    # when
    with pytest.raises(ValidationError) as weak:
        user_create(username="hung", role=Role.CITIZEN, password="12345678")
    with pytest.raises(ValidationError) as taken:
        user_create(username="minh", role=Role.CITIZEN)

    # then
    assert weak.value.message_dict == {
        "password": ["This password is too common.", "This password is entirely numeric."]
    }
    assert taken.value.message_dict == {"username": ["A user with that username already exists."]}


def test_user_set_role_records_from_and_to_and_keeps_the_agency():
    # given
    agency = AgencyFactory(code="so-y-te")
    user = UserFactory(username="minh", role=Role.AGENCY_STAFF, agency=agency)
    admin = UserFactory(username="quantri", role=Role.ADMIN)

    # when
    user_set_role(user=user, role=Role.AGENCY_HEAD, actor=admin)

    # then
    user.refresh_from_db()
    assert (user.role, user.agency) == (Role.AGENCY_HEAD, agency)
    assert _events(user) == [
        (
            "role_changed",
            "agency_staff",
            "agency_head",
            "quantri",
            {"agency": ["so-y-te", "so-y-te"]},
        )
    ]


def test_user_set_role_to_admin_and_back_follows_with_the_superuser_flag():
    # given
    user = UserFactory(username="thao", role=Role.OPERATOR)

    # when
    user_set_role(user=user, role=Role.ADMIN)
    promoted = (user.is_staff, user.is_superuser)
    user_set_role(user=user, role=Role.LEADER)

    # then
    user.refresh_from_db()
    assert promoted == (True, True)
    assert (user.role, user.is_staff, user.is_superuser) == (Role.LEADER, False, False)


def test_user_set_role_refuses_an_agency_role_without_an_agency():
    # given
    user = UserFactory(username="lan", role=Role.CITIZEN)

    # when
    with pytest.raises(ValidationError) as error:
        user_set_role(user=user, role=Role.AGENCY_STAFF)

    # then
    assert error.value.message_dict == {
        "agency": ["Agency staff and agency heads belong to an agency: choose one."]
    }
    user.refresh_from_db()
    assert user.role == Role.CITIZEN


def test_user_set_password_validates_and_records_without_the_password():
    # given
    user = UserFactory(username="lan")

    # when
    user_set_password(user=user, password="mây trắng bay về núi")

    # then
    user.refresh_from_db()
    assert user.check_password("mây trắng bay về núi")
    assert _events(user) == [("password_set", "", "", "system", {})]
