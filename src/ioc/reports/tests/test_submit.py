"""Submission: validation, routing, deadlines, photos, rate limits."""

import io

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from ioc.accounts.tests.factories import api_key
from ioc.core.models import Holiday
from ioc.reports import services
from ioc.reports.choices import ReportSource, ReportStatus
from ioc.reports.models import Report
from ioc.reports.selectors import report_timeline, routing_resolve
from ioc.reports.tests.conftest import MUI_NE, OUTSIDE, PHAN_THIET, TUYEN_QUANG, jpeg_bytes, local

pytestmark = pytest.mark.django_db


def test_submitted_report_is_located_routed_and_given_a_tracking_code(submit, world):
    # given / when
    report = submit(category="pothole", point=PHAN_THIET, received_at=local(2026, 11, 23, 9, 0))

    # then
    report.refresh_from_db()
    assert report.status == ReportStatus.ASSIGNED
    assert report.agency == world["phan_thiet"]
    assert report.commune.code == "22945"
    assert report.legacy_district.code == "593"
    assert report.tracking_code.startswith("PA-2611-")
    assert len(report.tracking_code) == 14
    assert report.photos.count() == 1
    verbs = list(
        report_timeline(report=report, public=False).values_list("verb", "from_state", "to_state")
    )
    assert verbs == [("submitted", "", "new"), ("routed", "new", "assigned")]


def test_most_specific_routing_rule_wins(submit, world):
    # given: pothole -> transport anywhere, pothole x Phường Phan Thiết -> phan-thiet
    # when
    in_ward = submit(category="pothole", point=PHAN_THIET)
    elsewhere = submit(category="pothole", point=MUI_NE)

    # then
    assert in_ward.agency == world["phan_thiet"]
    assert elsewhere.agency == world["transport"]


def test_category_rule_beats_an_area_rule_for_any_category(world):
    # given: any category in Phường Phan Thiết -> other; streetlight anywhere -> power
    services.routing_rule_create(agency=world["other"], unit=world["phan_thiet_unit"])
    from ioc.geo.selectors import locate

    location = locate(lat=PHAN_THIET[0], lon=PHAN_THIET[1])

    # when / then
    assert routing_resolve(category=world["streetlight"], location=location) == world["power"]
    assert routing_resolve(category=world["noise"], location=location) == world["other"]


def test_report_no_rule_matches_lands_in_triage(submit):
    # when
    report = submit(category="noise", point=TUYEN_QUANG)

    # then
    assert report.status == ReportStatus.TRIAGE
    assert report.agency is None


def test_report_without_category_lands_in_triage(submit):
    report = submit(category=None)

    assert report.status == ReportStatus.TRIAGE
    assert report.category is None


def test_deadline_in_working_days_skips_weekend_and_holiday(submit):
    # given: Monday 30/11 is a day off
    Holiday.objects.create(date=local(2026, 11, 30).date(), name="Nghỉ bù")

    # when: received Friday 27/11 16:00, 3 working days (the receipt day is Friday)
    report = submit(category="pothole", received_at=local(2026, 11, 27, 16, 0))

    # then: Tue 1/12, Wed 2/12, Thu 3/12 -> due Thursday 17:00
    assert report.due_at == local(2026, 12, 3, 17, 0)
    assert report.expected_at == report.due_at


def test_deadline_in_working_hours_continues_after_the_weekend(submit):
    # when: received Friday 27/11 15:00, 24 working hours (7.5 per day)
    report = submit(category="streetlight", received_at=local(2026, 11, 27, 15, 0))

    # then: Fri 2h, Mon 7.5, Tue 7.5, Wed 7.5 = 24.5 -> 24h falls Wed at 16:30
    assert report.due_at == local(2026, 12, 2, 16, 30)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"category": "nope"}, "category", "Unknown category “nope”."),
        ({"category": "internal"}, "category", "Unknown category “internal”."),
        ({"description": "   "}, "description", "Describe the problem."),
        (
            {"description": "x" * 4001},
            "description",
            "The description is 4001 characters long; at most 4000.",
        ),
        ({"lat": 91.0}, "lat", "Latitude must be between -90 and 90."),
        ({"lon": -181.0}, "long", "Longitude must be between -180 and 180."),
        ({"lat": "abc"}, "lat", "Latitude and longitude must be numbers."),
        (
            {"lat": OUTSIDE[0], "lon": OUTSIDE[1]},
            "lat",
            "The point (10.6, 107.75) is outside the area this service covers.",
        ),
        ({"photos": []}, "photos", "Add at least one photo of the problem."),
        ({"photos": [jpeg_bytes()] * 6}, "photos", "At most 5 photos may be sent."),
        ({"reporter_email": "not-an-address"}, "email", "Enter a valid e-mail address."),
    ],
)
def test_bad_submission_is_refused_naming_the_field(submit, overrides, field, message):
    with pytest.raises(ValidationError) as caught:
        submit(**overrides)

    assert caught.value.message_dict == {field: [message]}
    assert Report.objects.count() == 0


def test_phone_channel_needs_no_photo(submit):
    report = submit(photos=[], source=ReportSource.PHONE)

    assert report.photos.count() == 0


def test_html_in_text_is_made_harmless(submit):
    report = submit(
        description='Cống bị tắc <script>alert("x")</script><b>nặng</b> &amp; bốc mùi',
        address="<img src=x onerror=alert(1)>12 Trần Phú",
    )

    assert report.description == "Cống bị tắc nặng & bốc mùi"
    assert report.address == "12 Trần Phú"


def test_non_image_upload_is_refused(submit):
    with pytest.raises(ValidationError) as caught:
        submit(photos=[jpeg_bytes(), b"%PDF-1.4 not an image"])

    assert caught.value.message_dict == {
        "photos": ["photos[1]: not a photo (JPEG, PNG, WebP, GIF or BMP) or damaged."]
    }


def test_oversized_upload_is_refused(submit, settings):
    settings.IOC_REPORTS_MAX_PHOTO_BYTES = 1024 * 1024
    big = jpeg_bytes() + b"\0" * (1024 * 1024)

    with pytest.raises(ValidationError) as caught:
        submit(photos=[big])

    assert caught.value.message_dict == {"photos": ["photos[0]: the file is larger than 1 MB."]}


def test_decompression_bomb_is_refused(submit):
    # given: a 10,000 x 10,000 PNG of one colour compresses to a few kilobytes
    output = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(output, format="PNG")

    with pytest.raises(ValidationError) as caught:
        submit(photos=[output.getvalue()])

    assert caught.value.message_dict == {
        "photos": ["photos[0]: the image has too many pixels (at most 50 million)."]
    }


def test_photo_is_re_encoded_as_jpeg_without_exif(submit):
    # given: a photo carrying EXIF (a camera model and GPS would be in there)
    exif = Image.Exif()
    exif[0x0110] = "Secret Phone 3000"
    original = jpeg_bytes(size=(80, 60), exif=exif.tobytes())
    assert Image.open(io.BytesIO(original)).getexif()[0x0110] == "Secret Phone 3000"

    # when
    report = submit(photos=[original])

    # then
    photo = report.photos.get()
    with photo.image.open("rb") as stored:
        image = Image.open(stored)
        assert image.format == "JPEG"
        assert dict(image.getexif()) == {}
        assert (photo.width, photo.height) == (80, 60)


@pytest.fixture
def queued_tasks(settings):
    """Tasks kept in the database queue, as in production, instead of run at once."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _publish_queued_photos() -> list[int]:
    """What the worker does: run each queued photo task; returns their results."""
    from django_tasks_db.models import DBTaskResult

    from ioc.reports.tasks import publish_report_photos

    queued = DBTaskResult.objects.filter(task_path__endswith="publish_report_photos")
    return [publish_report_photos.call(*row.args_kwargs["args"]) for row in queued]


def test_upload_is_private_until_the_worker_re_encodes_it(submit, settings, queued_tasks):
    # given: a photo carrying EXIF
    exif = Image.Exif()
    exif[0x0110] = "Secret Phone 3000"
    original = jpeg_bytes(size=(80, 60), exif=exif.tobytes())

    # when: the report is accepted
    report = submit(photos=[original])

    # then: nothing public yet; the upload waits outside MEDIA_ROOT
    media = settings.MEDIA_ROOT
    pending = sorted(path for path in (media.parent / "pending-photos").iterdir())
    assert report.photos.count() == 0
    assert not media.exists() or [p for p in media.rglob("*") if p.is_file()] == []
    assert [path.read_bytes() for path in pending] == [original]

    # when: the worker runs (twice: a retry must not publish it again)
    assert _publish_queued_photos() == [1]
    assert _publish_queued_photos() == [1]

    # then: one re-encoded public photo, the upload gone
    photo = report.photos.get()
    assert photo.image.name == f"reports/{photo.created_at:%Y/%m}/{pending[0].name}.jpg"
    with photo.image.open("rb") as stored:
        assert dict(Image.open(stored).getexif()) == {}
    assert [p for p in (media.parent / "pending-photos").iterdir()] == []


def test_photo_with_damaged_pixels_is_dropped_and_the_report_kept(submit, queued_tasks):
    # given: a JPEG whose header is sound but whose pixels are cut off
    damaged = jpeg_bytes(size=(400, 300))[:700]

    # when
    report = submit(photos=[damaged])
    published = _publish_queued_photos()

    # then
    assert published == [0]
    assert report.photos.count() == 0
    verbs = list(report_timeline(report=report, public=False).values_list("verb", "reason"))
    assert verbs[-1] == (
        "photo_refused",
        "photos[0]: not a photo (JPEG, PNG, WebP, GIF or BMP) or damaged.",
    )


def test_anonymous_submissions_are_limited_per_device(submit, settings):
    settings.IOC_REPORTS_ANONYMOUS_PER_HOUR_PER_DEVICE = 2
    submit(device_id="phone-1")
    submit(device_id="phone-1")

    with pytest.raises(services.RateLimited) as caught:
        submit(device_id="phone-1")

    assert caught.value.message == "Too many reports from this device in the last hour (at most 2)."
    assert submit(device_id="phone-2").pk


def test_anonymous_submissions_are_limited_per_ip(submit, settings):
    settings.IOC_REPORTS_ANONYMOUS_PER_HOUR_PER_IP = 1
    submit(ip="203.0.113.9")

    with pytest.raises(services.RateLimited):
        submit(ip="203.0.113.9")


def test_an_address_past_its_limit_stays_limited(submit, settings):
    settings.IOC_REPORTS_ANONYMOUS_PER_HOUR_PER_IP = 2
    key, _raw = api_key(scopes=["reports"])
    for _report in range(4):  # a call centre at the same address is not limited itself
        submit(ip="203.0.113.9", actor=key)

    with pytest.raises(services.RateLimited) as caught:
        submit(ip="203.0.113.9")

    assert caught.value.message == (
        "Too many reports from your network in the last hour (at most 2)."
    )


def test_api_key_client_is_not_rate_limited_and_may_use_internal_category(submit, settings):
    settings.IOC_REPORTS_ANONYMOUS_PER_HOUR_PER_IP = 1
    key, _raw = api_key(scopes=["reports"])

    first = submit(ip="203.0.113.9", actor=key, category="internal")
    second = submit(ip="203.0.113.9", actor=key, category="internal")

    assert (first.published, second.published) == (False, False)


def test_required_attribute_must_be_answered(submit, world):
    services.category_attribute_create(
        category=world["pothole"],
        code="size",
        description="Kích thước?",
        datatype="singlevaluelist",
        required=True,
        values=[{"key": "small", "name": "Nhỏ"}, {"key": "large", "name": "Lớn"}],
    )

    with pytest.raises(ValidationError) as caught:
        submit()
    assert caught.value.message_dict == {"attribute[size]": ["This question must be answered."]}

    with pytest.raises(ValidationError) as caught:
        submit(attributes={"size": "huge"})
    assert caught.value.message_dict == {"attribute[size]": ["Unknown value: huge."]}

    assert submit(attributes={"size": "large"}).attributes == {"size": "large"}
