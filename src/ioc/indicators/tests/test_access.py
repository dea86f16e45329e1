"""Who sees which indicators and values: the roles x reads matrix of the engine."""

import pytest

from ioc.accounts.choices import ApiScope, Role
from ioc.accounts.tests.factories import AgencyFactory, UserFactory, api_key
from ioc.indicators.dhis2 import parse_csv
from ioc.indicators.hierarchy import Hierarchy
from ioc.indicators.models import Indicator
from ioc.indicators.selectors import data_values_export, indicators_list, writable_indicator_ids
from ioc.indicators.services import data_values_import


@pytest.fixture
def world(loaded_geo, make_indicator):
    health = AgencyFactory(code="soyte")
    make_indicator("PUBLIC", is_public=True)
    make_indicator("HEALTH", source_agency=health)
    make_indicator("OTHER")
    data_values_import(
        rows=parse_csv(
            "de,pe,ou,coc,aoc,value\nPUBLIC,202401,68,,,1\nHEALTH,202401,68,,,2\n"
            "OTHER,202401,68,,,3\n"
        )
    )
    return health


@pytest.mark.parametrize(
    ("who", "visible"),
    [
        ("anonymous", ["PUBLIC"]),
        ("citizen", ["PUBLIC"]),
        ("health staff", ["HEALTH", "PUBLIC"]),
        ("other agency staff", ["PUBLIC"]),
        ("leader", ["HEALTH", "OTHER", "PUBLIC"]),
        ("operator", ["HEALTH", "OTHER", "PUBLIC"]),
        ("admin", ["HEALTH", "OTHER", "PUBLIC"]),
        ("api key", ["HEALTH", "OTHER", "PUBLIC"]),
    ],
)
def test_catalogue_and_values_visible_by_role(world, who, visible):
    # given
    viewer = {
        "anonymous": lambda: None,
        "citizen": lambda: UserFactory(role=Role.CITIZEN),
        "health staff": lambda: UserFactory(role=Role.AGENCY_STAFF, agency=world),
        "other agency staff": lambda: UserFactory(role=Role.AGENCY_STAFF),
        "leader": lambda: UserFactory(role=Role.LEADER),
        "operator": lambda: UserFactory(role=Role.OPERATOR),
        "admin": lambda: UserFactory(role=Role.ADMIN),
        "api key": lambda: api_key(scopes=[ApiScope.INDICATORS])[0],
    }[who]()

    # when
    catalogue = sorted(indicators_list(viewer=viewer).values_list("code", flat=True))
    hierarchy = Hierarchy.load()
    values = data_values_export(
        viewer=viewer,
        indicators=Indicator.objects.all(),
        hierarchy=hierarchy,
    )

    # then
    assert catalogue == visible
    assert sorted(v["dataElement"] for v in values) == visible


@pytest.mark.parametrize(
    ("who", "writable"),
    [
        ("health staff", ["HEALTH"]),
        ("operator", None),
        ("agency key", ["HEALTH"]),
        ("key", None),
    ],
)
def test_who_may_write_which_indicators(world, who, writable):
    actor = {
        "health staff": lambda: UserFactory(role=Role.AGENCY_STAFF, agency=world),
        "operator": lambda: UserFactory(role=Role.OPERATOR),
        "agency key": lambda: api_key(scopes=[ApiScope.INDICATORS], agency=world)[0],
        "key": lambda: api_key(scopes=[ApiScope.INDICATORS])[0],
    }[who]()

    ids = writable_indicator_ids(actor=actor)

    codes = (
        None
        if ids is None
        else sorted(Indicator.objects.filter(pk__in=ids).values_list("code", flat=True))
    )
    assert codes == writable
