import pytest

from ioc.accounts.choices import Role
from ioc.accounts.tests.factories import AgencyFactory, UserFactory
from ioc.geo.testing import load_test_geography


@pytest.fixture
def geography(db):
    load_test_geography()


@pytest.fixture
def role_users(db):
    """One user per role, password "correct horse battery", named after the role."""
    agency = AgencyFactory(code="ubnd-22924", name="Ủy ban nhân dân Phường Phú Thuỷ")
    users = {}
    for role in Role.values():
        users[role] = UserFactory(
            username=f"user.{role}",
            role=role,
            agency=agency if role in Role.AGENCY else None,
            password="correct horse battery",
        )
    return users
