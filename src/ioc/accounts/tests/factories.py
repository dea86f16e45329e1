"""factory_boy factories for agencies, users and API keys; other apps' tests use them too.

AgencyFactory(kind=AgencyKind.COMMUNE_COMMITTEE, units=[commune])
UserFactory(role=Role.AGENCY_STAFF)            # gets an agency of its own
UserFactory(role=Role.AGENCY_HEAD, agency=a)   # or the one given
UserFactory(password="correct horse battery")  # else the password is unusable (fast)
key, raw_key = api_key(scopes=[ApiScope.REPORTS])
"""

import factory
from factory.django import DjangoModelFactory, Password

from ioc.accounts.choices import AgencyKind, Role
from ioc.accounts.models import Agency, ApiKey, User
from ioc.accounts.services import apikey_create


class AgencyFactory(DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("code",)
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"agency-{n}")
    name = factory.Sequence(lambda n: f"Cơ quan thử nghiệm {n}")
    name_en = factory.Sequence(lambda n: f"Test agency {n}")
    kind = AgencyKind.DEPARTMENT

    @factory.post_generation
    def units(self, create, extracted, **kwargs):
        if create and extracted:
            self.units.set(extracted)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    class Params:
        needs_agency = factory.LazyAttribute(lambda user: user.role in Role.AGENCY)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.invalid")
    first_name = "Thử"
    last_name = "Nguyễn Văn"
    role = Role.CITIZEN
    agency = factory.Maybe(
        "needs_agency", yes_declaration=factory.SubFactory(AgencyFactory), no_declaration=None
    )
    # As services.user_create does: the administrator role is Django's superuser.
    is_staff = factory.LazyAttribute(lambda user: user.role == Role.ADMIN)
    is_superuser = factory.LazyAttribute(lambda user: user.role == Role.ADMIN)
    # None makes an unusable password: hashing a real one costs time most tests do not need.
    password = Password(None)


def api_key(*, scopes: list[str], name: str = "Test client", **kwargs) -> tuple[ApiKey, str]:
    """A key made by the service (so it authenticates) and its raw value."""
    return apikey_create(name=name, scopes=scopes, **kwargs)
