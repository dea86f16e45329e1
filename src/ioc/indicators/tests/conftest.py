"""The indicators' test world: the shipped geography, a few indicators and facilities."""

import pytest
from django.utils import translation

from ioc.geo.testing import loaded_geo  # noqa: F401  (the fixture)
from ioc.indicators.models import Sector
from ioc.indicators.services import indicator_create


@pytest.fixture
def health():
    return Sector.objects.get(code="health")


@pytest.fixture
def make_indicator(db):
    def make(code: str, **fields):
        fields.setdefault("name", f"Chỉ tiêu {code}")
        fields.setdefault("sector", Sector.objects.get(code="socio-economic"))
        return indicator_create(code=code, **fields)

    return make


@pytest.fixture(autouse=True)
def english():
    """The messages are asserted in English (the source language); Vietnamese is the
    default, so tests ask for English explicitly."""
    with translation.override("en"):
        yield


@pytest.fixture
def client(client):
    client.cookies["django_language"] = "en"
    return client
