"""A small world for the reports tests: the shipped geography, two categories, agencies,
routing rules, and a helper that submits a report the way the citizen app does."""

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from ioc.accounts.choices import AgencyKind, Role
from ioc.accounts.tests.factories import AgencyFactory, UserFactory
from ioc.geo.models import AdminUnit
from ioc.geo.testing import loaded_geo  # noqa: F401 (a fixture)
from ioc.reports import services
from ioc.reports.choices import DeadlineUnit, ReportSource
from ioc.reports.models import Category

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
# Points inside the shipped area: (lat, lon), commune code, legacy district code.
PHAN_THIET = (10.93, 108.10)  # Phường Phan Thiết 22945, old Thành phố Phan Thiết 593
MUI_NE = (11.0, 108.2)  # Phường Mũi Né 22918, old Thành phố Phan Thiết 593
TUYEN_QUANG = (10.95, 108.0)  # Xã Tuyên Quang 22963, old Huyện Hàm Thuận Nam 598
OUTSIDE = (10.6, 107.75)  # at sea


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


def everyone_looks() -> None:
    """Every account opens its inbox, copying its groups' notifications (ioc.inbox)."""
    from ioc.accounts.models import User
    from ioc.inbox.services import group_notifications_deliver

    for user in User.objects.order_by("pk"):
        group_notifications_deliver(user=user)


def jpeg_bytes(size=(64, 48), colour=(200, 30, 30), exif: bytes | None = None) -> bytes:
    output = io.BytesIO()
    image = Image.new("RGB", size, colour)
    if exif is not None:
        image.save(output, format="JPEG", exif=exif)
    else:
        image.save(output, format="JPEG")
    return output.getvalue()


@pytest.fixture(autouse=True)
def _media_and_tasks(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def world(loaded_geo):  # noqa: F811
    """Categories, agencies and rules:
    - streetlight (24 working hours) -> "power" anywhere;
    - pothole (3 working days) -> "phan-thiet" in Phường Phan Thiết, "transport" elsewhere;
    - noise (internal category, 5 working days) with no rule: to triage.
    """
    streetlight = Category.objects.create(
        code="streetlight",
        name="Đèn đường hỏng",
        name_en="Broken street light",
        group="Hạ tầng",
        deadline_amount=24,
        deadline_unit=DeadlineUnit.WORKING_HOURS,
        keywords="đèn,chiếu sáng",
    )
    pothole = Category.objects.create(
        code="pothole",
        name="Ổ gà, hư hỏng mặt đường",
        name_en="Pothole",
        group="Giao thông",
        deadline_amount=3,
        deadline_unit=DeadlineUnit.WORKING_DAYS,
    )
    noise = Category.objects.create(
        code="noise", name="Tiếng ồn", deadline_amount=5, is_public=True, order=200
    )
    internal = Category.objects.create(code="internal", name="Nội bộ", is_public=False)
    power = AgencyFactory(code="power", name="Điện lực", kind=AgencyKind.UTILITY)
    transport = AgencyFactory(code="transport", name="Sở Xây dựng")
    phan_thiet_unit = AdminUnit.objects.get(structure="current", code="22945")
    phan_thiet = AgencyFactory(
        code="phan-thiet",
        name="UBND phường Phan Thiết",
        name_en="Phan Thiet Ward People's Committee",
        kind=AgencyKind.COMMUNE_COMMITTEE,
        units=[phan_thiet_unit],
    )
    sub = AgencyFactory(code="phan-thiet-works", name="Đội công trình", parent=phan_thiet)
    other = AgencyFactory(code="other", name="Cơ quan khác")
    services.routing_rule_create(agency=power, category=streetlight)
    services.routing_rule_create(agency=transport, category=pothole)
    services.routing_rule_create(agency=phan_thiet, category=pothole, unit=phan_thiet_unit)
    return {
        "streetlight": streetlight,
        "pothole": pothole,
        "noise": noise,
        "internal": internal,
        "power": power,
        "transport": transport,
        "phan_thiet": phan_thiet,
        "sub": sub,
        "other": other,
        "phan_thiet_unit": phan_thiet_unit,
    }


@pytest.fixture
def submit(world):
    """submit(category="pothole", point=PHAN_THIET, **overrides) -> Report, committed."""

    def make(category="pothole", point=PHAN_THIET, **overrides):
        values = {
            "category": category,
            "description": "Ổ gà lớn giữa đường Trần Hưng Đạo, xe máy dễ ngã.",
            "lat": point[0],
            "lon": point[1],
            "photos": [jpeg_bytes()],
            "source": ReportSource.WEB,
            "reporter_email": "dan@example.invalid",
        }
        values.update(overrides)
        return services.report_submit(**values)

    return make


@pytest.fixture
def people(world):
    """One user per role; agency roles belong to "phan-thiet" (the pothole agency)."""
    agency = world["phan_thiet"]
    return {
        "citizen": UserFactory(role=Role.CITIZEN, username="citizen"),
        "staff": UserFactory(role=Role.AGENCY_STAFF, agency=agency, username="staff"),
        "head": UserFactory(role=Role.AGENCY_HEAD, agency=agency, username="head"),
        "sub_staff": UserFactory(role=Role.AGENCY_STAFF, agency=world["sub"], username="sub"),
        "other_staff": UserFactory(
            role=Role.AGENCY_STAFF, agency=world["other"], username="other_staff"
        ),
        "operator": UserFactory(role=Role.OPERATOR, username="operator"),
        "leader": UserFactory(role=Role.LEADER, username="leader"),
        "admin": UserFactory(role=Role.ADMIN, username="admin"),
    }


@pytest.fixture
def client(client, settings):
    """The tests assert the English messages: a browser that chose English."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client
