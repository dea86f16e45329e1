"""The field-reports demo: categories, routing rules, and two years of citizens' reports.

Every report is written by the services themselves (report_submit, report_transition,
report_resolve, report_rate, report_escalate...) under a demo clock that stands at the
moment each step happened, so the rows, the timeline and the figures are exactly what
the product would have recorded. The plan is seeded, so the figures never change:

- "pilot": old Phan Thiết (legacy district 593) from 10/12/2022, when the city's IOC
  started, to 21/11/2024. Its figures are those the seed article reports (1,104 received,
  1,025 completed, 79 in progress, 834 satisfied ratings = 85%); they are planned so and
  then computed from the records like any other figure.
- "province": the 45 communes from 22/11/2024 (the provincial trial) to now; its days
  are planned one by one (a seed per day), so past days stay the same whenever the demo
  is loaded and steps after the present moment are simply not taken yet: some reports
  are open, due soon or overdue now.
- "accounts": a step of its own, after the demo accounts exist: 11 reports of the last
  working days around them (the citizen's own, the triage queue, overdue escalations in
  the staff's ward), so that each account has something to see and its notifications.

Each report carries its plan key in `device_id` ("demo-..."): a second run skips the
reports already there (and resumes an interrupted run).
"""

import io
import json
import math
import random
import unicodedata
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

import shapely
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from shapely.geometry import shape

from ioc.accounts.models import Agency, User
from ioc.core.calendar import (
    add_working_days,
    add_working_hours,
    is_working_day,
    working_hours_between,
)
from ioc.geo.choices import Level, Structure
from ioc.geo.models import AdminUnit, UnitSuccession
from ioc.geo.names import split_division
from ioc.geo.selectors import locate
from ioc.reports import demo_texts as texts
from ioc.reports import notifications, services
from ioc.reports.choices import (
    AttributeDatatype,
    DeadlineUnit,
    RejectReason,
    ReportSource,
    ReportStatus,
)
from ioc.reports.models import (
    AnswerTemplate,
    Category,
    CategoryAttribute,
    Report,
    RoutingRule,
)

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
SEED = 20221210
KEY_PREFIX = "demo-"
PARTS = ("pilot", "province")

# The pilot: the article's period and figures (legacy district 593, old Phan Thiết).
PILOT_DISTRICT = "593"
PILOT_START = date(2022, 12, 10)
PILOT_END = date(2024, 11, 21)
PILOT_RECEIVED = 1104
PILOT_COMPLETED = 1025
PILOT_SATISFIED = 834
PILOT_RATINGS = 981  # 834 / 981 = 85.0 %
PILOT_REJECTED = 24
PILOT_LOW_RATINGS = {3: 82, 2: 40, 1: 25}  # the 147 ratings under 4 stars
# The province from the day after the pilot's period.
PROVINCE_START = PILOT_END + timedelta(days=1)
# Reports a day in the province part at its start (the volume then grows by 40 % over
# two years): the old Phan Thiết area, and each weight unit of the other communes. The
# pilot's own rate (1,104 in two years) is the scale.
CITY_PER_DAY = 1.1
COMMUNE_PER_DAY = 0.004
APP_PHOTOS_SINCE_DAYS = 45  # the citizen app (with photos) in the last weeks
# In the last weeks some agencies fall behind: a share of the reports is still open, late.
BACKLOG_DAYS = 21

# code, Vietnamese name, English name, group (vi, en), deadline (amount, unit), keywords
CATEGORIES = [
    ("o-ga", "Ổ gà, hư hỏng mặt đường", "Potholes and damaged roads", "Giao thông", "Roads and traffic", 5, DeadlineUnit.WORKING_DAYS, "ổ gà,mặt đường,sụt lún,hố ga"),
    ("giao-thong", "Đèn tín hiệu, biển báo giao thông", "Traffic lights and road signs", "Giao thông", "Roads and traffic", 16, DeadlineUnit.WORKING_HOURS, "đèn tín hiệu,biển báo,đèn xanh đèn đỏ"),
    ("den-chieu-sang", "Đèn chiếu sáng công cộng", "Street lighting", "Hạ tầng đô thị", "Urban infrastructure", 3, DeadlineUnit.WORKING_DAYS, "đèn đường,chiếu sáng,bóng đèn"),
    ("ngap-ung", "Ngập úng, thoát nước", "Flooding and drainage", "Hạ tầng đô thị", "Urban infrastructure", 3, DeadlineUnit.WORKING_DAYS, "ngập,cống,thoát nước,mương"),
    ("cay-xanh", "Cây xanh gãy đổ, nguy hiểm", "Fallen or dangerous trees", "Hạ tầng đô thị", "Urban infrastructure", 8, DeadlineUnit.WORKING_HOURS, "cây xanh,cây đổ,cành gãy"),
    ("rac-thai", "Rác thải, vệ sinh môi trường", "Waste and street cleaning", "Môi trường", "Environment", 2, DeadlineUnit.WORKING_DAYS, "rác,thu gom,vệ sinh"),
    ("o-nhiem", "Ô nhiễm khói, bụi, mùi, nước thải", "Pollution: smoke, dust, odours, waste water", "Môi trường", "Environment", 5, DeadlineUnit.WORKING_DAYS, "ô nhiễm,khói,mùi hôi,xả thải"),
    ("tieng-on", "Tiếng ồn", "Noise", "Môi trường", "Environment", 3, DeadlineUnit.WORKING_DAYS, "ồn,karaoke,loa"),
    ("lan-chiem", "Lấn chiếm vỉa hè, lòng đường", "Encroachment on pavements and roads", "Trật tự đô thị", "Urban order", 10, DeadlineUnit.WORKING_DAYS, "lấn chiếm,vỉa hè,lòng đường"),
    ("trat-tu-xay-dung", "Trật tự xây dựng", "Building without a permit, unsafe sites", "Trật tự đô thị", "Urban order", 10, DeadlineUnit.WORKING_DAYS, "xây dựng,giấy phép,công trình"),
    ("dong-vat", "Động vật thả rông", "Roaming animals", "Trật tự đô thị", "Urban order", 5, DeadlineUnit.WORKING_DAYS, "thả rông,chó,bò"),
    ("cap-nuoc", "Cấp nước sinh hoạt", "Water supply", "Điện, nước", "Power and water", 2, DeadlineUnit.WORKING_DAYS, "mất nước,ống nước,nước máy"),
    ("dien", "Điện, đường dây điện", "Electricity and power lines", "Điện, nước", "Power and water", 8, DeadlineUnit.WORKING_HOURS, "mất điện,dây điện,trụ điện"),
    ("an-ninh-trat-tu", "An ninh trật tự", "Public order and safety", "An ninh, xã hội", "Safety and society", 3, DeadlineUnit.WORKING_DAYS, "trộm,đánh nhau,ma túy"),
    ("du-lich", "Du lịch, dịch vụ", "Tourism and services", "An ninh, xã hội", "Safety and society", 5, DeadlineUnit.WORKING_DAYS, "du lịch,chặt chém,chèo kéo"),
]  # fmt: skip

DANGER_VALUES = [
    {"key": "thap", "name": "Thấp"},
    {"key": "trung-binh", "name": "Trung bình"},
    {"key": "cao", "name": "Cao: có thể gây tai nạn ngay"},
]
# category code -> (code, question vi, question en, datatype, values)
ATTRIBUTES: dict[str, list[tuple[str, str, str, str, list]]] = {
    "o-ga": [("muc-do", "Mức độ nguy hiểm", "How dangerous is it?", AttributeDatatype.SINGLEVALUELIST, DANGER_VALUES)],
    "dien": [("muc-do", "Mức độ nguy hiểm", "How dangerous is it?", AttributeDatatype.SINGLEVALUELIST, DANGER_VALUES)],
    "cay-xanh": [("chan-duong", "Cây có chắn ngang đường không?", "Does it block the road?", AttributeDatatype.SINGLEVALUELIST,
                  [{"key": "co", "name": "Có"}, {"key": "khong", "name": "Không"}])],
    "ngap-ung": [("do-sau", "Nước ngập sâu khoảng bao nhiêu cm?", "About how deep is the water (cm)?", AttributeDatatype.NUMBER, [])],
    "tieng-on": [("khung-gio", "Tiếng ồn thường xảy ra lúc nào?", "When does the noise happen?", AttributeDatatype.SINGLEVALUELIST,
                  [{"key": "ban-ngay", "name": "Ban ngày"}, {"key": "buoi-toi", "name": "Buổi tối (18-22 giờ)"},
                   {"key": "dem-khuya", "name": "Đêm khuya (sau 22 giờ)"}])],
}  # fmt: skip

# Categories handled by the commune committee of the place.
COMMUNE_CATEGORIES = (
    "o-ga",
    "den-chieu-sang",
    "tieng-on",
    "lan-chiem",
    "trat-tu-xay-dung",
    "dong-vat",
)
# One agency for the whole area.
PROVINCE_WIDE = {
    "giao-thong": "so-xay-dung",
    "o-nhiem": "so-nnmt",
    "cap-nuoc": "cap-thoat-nuoc",
    "dien": "dien-luc",
    "an-ninh-trat-tu": "cong-an-tinh",
    "du-lich": "so-vhttdl",
}
# The commune committee, except in old urban districts served by a company; the
# province-wide rule catches the rest of a commune that straddles such a district.
URBAN_SERVICES = {
    "rac-thai": ({"593": "moi-truong-do-thi"}, "moi-truong-do-thi"),
    "cay-xanh": ({"593": "moi-truong-do-thi"}, "moi-truong-do-thi"),
    "ngap-ung": ({"593": "cap-thoat-nuoc", "594": "cap-thoat-nuoc"}, "so-xay-dung"),
}

# Relative frequency of each category, and the months where it is more frequent.
CATEGORY_WEIGHTS = {
    "o-ga": 14, "rac-thai": 14, "den-chieu-sang": 12, "lan-chiem": 9, "ngap-ung": 7,
    "tieng-on": 7, "cay-xanh": 5, "cap-nuoc": 6, "dien": 5, "trat-tu-xay-dung": 5,
    "o-nhiem": 4, "giao-thong": 4, "an-ninh-trat-tu": 4, "dong-vat": 3, "du-lich": 3,
}  # fmt: skip
SEASONS = {
    "ngap-ung": ({6, 7, 8, 9, 10, 11}, 2.2),
    "cay-xanh": ({6, 7, 8, 9, 10}, 2.0),
    "cap-nuoc": ({3, 4, 5}, 1.8),
    "du-lich": ({1, 2, 4, 5, 6, 7}, 1.6),
}
# Weights of the commune (current code) inside the pilot area and across the province:
# towns and wards get most reports.
PILOT_COMMUNES = {
    "22945": 30,
    "22924": 22,
    "22918": 16,
    "22933": 10,
    "22954": 9,
    "22960": 7,
    "22963": 6,
}
TOWN_WEIGHTS = {"23235": 8, "23231": 5, "22969": 4, "22972": 4, "23005": 3, "23059": 3,
                "23110": 3, "23149": 3, "23191": 3, "23194": 3, "23230": 2, "23272": 2}  # fmt: skip
# Hours of the day people report at (local time), by weight.
HOUR_WEIGHTS = [1, 0.5, 0.3, 0.3, 0.5, 2, 5, 8, 8, 7, 6, 5, 5, 4, 5, 5, 5, 5, 6, 7, 7, 5, 4, 2]
NIGHT_CATEGORIES = {"tieng-on", "an-ninh-trat-tu"}
SOURCE_WEIGHTS = [
    (ReportSource.OPEN311, 52),  # the city's app, through the Open311 gateway
    (ReportSource.PHONE, 20),  # the hotline
    (ReportSource.SOCIAL, 12),  # Zalo, Facebook
    (ReportSource.EMAIL, 5),
    (ReportSource.STAFF, 11),  # entered at the one-stop desk
]


# -- the clock --------------------------------------------------------------------------


class DemoClock:
    """The moment the services see as now while the demo writes history."""

    def __init__(self) -> None:
        self.moment = datetime.now(UTC)

    def set(self, moment: datetime) -> None:
        self.moment = moment.astimezone(UTC)

    def now(self) -> datetime:
        return self.moment


@contextmanager
def demo_clock() -> Iterator[DemoClock]:
    """Stand `django.utils.timezone.now` (services, auto_now fields) at the clock's moment."""
    clock = DemoClock()
    with mock.patch.object(timezone, "now", clock.now):
        yield clock


# -- the plan ---------------------------------------------------------------------------


@dataclass
class Step:
    at: datetime
    action: str  # triage, start, transfer, escalate, resolve, reject, rate, close
    values: dict[str, Any] = field(default_factory=dict)
    by: str = ""  # the demo account acting (username); none: the system


@dataclass
class PlannedReport:
    key: str
    received_at: datetime
    category: str | None  # None: the citizen did not know (triage sets `true_category`)
    true_category: str
    lat: float
    lon: float
    description: str
    address: str
    source: str
    reporter_name: str
    reporter_phone: str
    is_anonymous: bool
    attributes: dict[str, Any]
    steps: list[Step] = field(default_factory=list)
    reporter: str = ""  # the demo account that sent it (username); none: anonymous


@dataclass
class _Area:
    """Where reports of a commune are drawn: its shape (clipped for the pilot), its centre."""

    commune_code: str
    commune_name: str
    geometry: Any
    centre: tuple[float, float]  # lon, lat
    weight: float


class _Geography:
    def __init__(self) -> None:
        units = AdminUnit.objects.filter(structure=Structure.CURRENT, level=Level.COMMUNE)
        self.communes = {
            unit.code: (unit.name, shape(unit.boundary)) for unit in units if unit.boundary
        }
        district = AdminUnit.objects.get(
            structure=Structure.LEGACY, level=Level.DISTRICT, code=PILOT_DISTRICT
        )
        self.pilot_district = shape(district.boundary)

    def areas(self, part: str) -> list[_Area]:
        areas = []
        for code, (name, geometry) in sorted(self.communes.items()):
            if part == "pilot":
                if code not in PILOT_COMMUNES:
                    continue
                geometry = geometry.intersection(self.pilot_district)
                weight = PILOT_COMMUNES[code]
            else:
                weight = (
                    PILOT_COMMUNES[code] / sum(PILOT_COMMUNES.values()) * CITY_PER_DAY
                    if code in PILOT_COMMUNES
                    else TOWN_WEIGHTS.get(code, 1) * COMMUNE_PER_DAY
                )
            centre = geometry.point_on_surface()
            areas.append(_Area(code, name, geometry, (centre.x, centre.y), weight))
        return areas


def _point_in(area: _Area, rng: random.Random, district: str | None) -> tuple[float, float]:
    """A point near the centre of the area (where people live), or anywhere in it."""
    min_x, min_y, max_x, max_y = area.geometry.bounds
    for attempt in range(200):
        if attempt < 100 and rng.random() < 0.75:
            x = rng.gauss(area.centre[0], 0.012)
            y = rng.gauss(area.centre[1], 0.012)
        else:
            x, y = rng.uniform(min_x, max_x), rng.uniform(min_y, max_y)
        x, y = round(x, 6), round(y, 6)
        if not shapely.contains_xy(area.geometry, x, y):
            continue
        location = locate(lat=y, lon=x)
        if location is None or location.commune.code != area.commune_code:
            continue
        legacy = location.legacy_district.code if location.legacy_district else None
        if district is not None and legacy != district:
            continue
        return y, x
    raise RuntimeError(f"No point found in commune {area.commune_code}")


def _strip_marks(text: str) -> str:
    """How people type on a phone without a Vietnamese keyboard: no diacritics."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    )


def compose_text(core: str, rng: random.Random, *, commune: str, street: str) -> str:
    """A citizen's description around a core sentence: varied openings, places, times."""
    division, bare = split_division(commune)
    place = rng.choice(texts.PLACES).format(
        street=street,
        commune=bare,
        unit=f"{division} {bare}".strip(),
        hamlet="khu phố" if division == "phường" or not division else "thôn",
        number=rng.randint(2, 180),
        quarter=rng.randint(1, 9),
        group=rng.randint(1, 14),
    )
    style = rng.random()
    if style < 0.2:
        text = core.split(",")[0]
        if rng.random() < 0.5:
            text += f" {place}"
    elif style < 0.55:
        opening, when = rng.choice(texts.OPENINGS), rng.choice(texts.TIMES)
        body = core[0].lower() + core[1:] if opening or when else core
        text = f"{opening}{when}{place} {body}."
        text = text[0].upper() + text[1:]
        text += f" {rng.choice(texts.REQUESTS)}"
    else:
        text = f"{core} ({place}). {rng.choice(texts.REQUESTS)}"
        if rng.random() < 0.25:
            other = rng.choice(texts.TIMES).strip()
            if other:
                text += f" Tình trạng này kéo dài {other}."
    text = " ".join(text.split())
    if rng.random() < 0.22:
        text = _strip_marks(text)
        if rng.random() < 0.5:
            text = text.lower()
    return text


def _address(street: str, commune: str) -> str:
    return f"{'Đường ' if street[0].islower() else ''}{street}, {commune}"


def _street(commune_code: str, rng: random.Random) -> str:
    return rng.choice(texts.STREETS.get(commune_code) or texts.GENERIC_STREETS)


def _pick_category(rng: random.Random, month: int) -> str:
    codes = list(CATEGORY_WEIGHTS)
    weights = []
    for code in codes:
        weight = CATEGORY_WEIGHTS[code]
        months, factor = SEASONS.get(code, (set(), 1.0))
        weights.append(weight * (factor if month in months else 1.0))
    return rng.choices(codes, weights)[0]


def _received_moment(day: date, category: str, rng: random.Random) -> datetime:
    weights = list(HOUR_WEIGHTS)
    if category in NIGHT_CATEGORIES:
        for hour in (21, 22, 23, 0):
            weights[hour] *= 3
    hour = rng.choices(range(24), weights)[0]
    return datetime.combine(day, time(hour, rng.randrange(60), rng.randrange(60)), tzinfo=TZ)


def _deadline(category: str, start: datetime) -> datetime:
    """The deadline report_submit gives (services._deadline, from the category's row)."""
    amount, unit = _DEADLINES[category]
    if unit == DeadlineUnit.WORKING_HOURS:
        return add_working_hours(start, amount)
    return add_working_days(start, amount)


_DEADLINES = {row[0]: (row[5], row[6]) for row in CATEGORIES}


def _new_report(
    key: str, received: datetime, area: _Area, rng: random.Random, district: str | None
) -> PlannedReport:
    category = _pick_category(rng, received.month)
    received = _received_moment(received.date(), category, rng)
    lat, lon = _point_in(area, rng, district)
    street = _street(area.commune_code, rng)
    commune = area.commune_name
    core = rng.choice(texts.CORES[category])
    description = compose_text(core, rng, commune=commune, street=street)
    attributes: dict[str, Any] = {}
    for code, _q, _qe, datatype, values in ATTRIBUTES.get(category, []):
        if rng.random() < 0.6:
            if datatype == AttributeDatatype.NUMBER:
                attributes[code] = str(rng.choice([10, 20, 30, 40, 50, 60, 80]))
            else:
                attributes[code] = rng.choice(values)["key"]
    named = rng.random() < 0.6
    return PlannedReport(
        key=key,
        received_at=received,
        category=None if rng.random() < 0.07 else category,
        true_category=category,
        lat=lat,
        lon=lon,
        description=description,
        address=_address(street, commune) if rng.random() < 0.5 else "",
        source=rng.choices(*zip(*SOURCE_WEIGHTS, strict=True))[0],
        reporter_name=(
            f"{rng.choice(texts.LAST_NAMES)} {rng.choice(texts.MIDDLE_NAMES)} "
            f"{rng.choice(texts.FIRST_NAMES)}"
            if named
            else ""
        ),
        reporter_phone=f"09{rng.randrange(10**8):08d}" if rng.random() < 0.5 else "",
        is_anonymous=not named and rng.random() < 0.5,
        attributes=attributes,
    )


def _after(moment: datetime, hours: float) -> datetime:
    return add_working_hours(moment, hours)


def _plan_handling(report: PlannedReport, rng: random.Random, fate: str) -> datetime:
    """The steps up to the first completion; returns the moment the agency is working.

    fate: "on_time", "last_minute" (just before the deadline), "late" (a little), "slow"
    (one to five weeks late) or "rejected".
    """
    start = report.received_at
    if report.category is None:
        start = _after(report.received_at, rng.uniform(0.3, 4))
        report.steps.append(Step(start, "triage"))
    due = _deadline(report.true_category, report.received_at)
    if fate == "rejected":
        reason = rng.choices(
            [
                RejectReason.DUPLICATE,
                RejectReason.OUT_OF_SCOPE,
                RejectReason.NOT_ENOUGH_INFORMATION,
                RejectReason.SPAM,
            ],
            [55, 25, 15, 5],
        )[0]
        report.steps.append(Step(_after(start, rng.uniform(0.5, 6)), "reject", {"reason": reason}))
        return start
    if (
        report.true_category == "o-ga"
        and report.category is not None
        and "Quốc lộ" in report.address
        and rng.random() < 0.6
    ):
        start = _after(start, rng.uniform(0.5, 3))
        report.steps.append(Step(start, "transfer", {"agency": "so-xay-dung"}))
    window = max(working_hours_between(start, due), 0.5)
    if rng.random() < 0.7:
        start = _after(start, min(rng.uniform(0.2, 3), window * 0.3))
        report.steps.append(Step(start, "start"))
    if fate in ("on_time", "last_minute"):
        remaining = max(working_hours_between(start, due), 0.2)
        share = rng.uniform(0.1, 0.95) if fate == "on_time" else rng.uniform(0.9, 0.99)
        resolved = _after(start, remaining * share)
    else:
        report.steps.append(Step(due + timedelta(minutes=rng.randint(3, 20)), "escalate"))
        resolved = _after(due, rng.uniform(1, 40) if fate == "late" else rng.uniform(40, 200))
    report.steps.append(Step(resolved, "resolve"))
    return start


def _plan_after_resolution(
    report: PlannedReport, rng: random.Random, rating: int | None, rate_by: datetime | None = None
) -> None:
    """Rating (and what it leads to), or closing unrated after seven days."""
    resolved = report.steps[-1].at
    if rating is None:
        report.steps.append(
            Step(resolved + timedelta(days=7, minutes=rng.randint(5, 600)), "close")
        )
        return
    delay = timedelta(hours=rng.choice([0.3, 1, 2, 5, 12, 20, 30, 48, 70]))
    rated = resolved + delay
    if rate_by is not None and rated >= rate_by:
        rated = resolved + (rate_by - resolved) * rng.uniform(0.2, 0.8)
    comment = rng.choice(texts.RATING_COMMENTS[rating]) if rng.random() < 0.45 else ""
    report.steps.append(Step(rated, "rate", {"rating": rating, "comment": comment}))
    if rating <= services.LOW_RATING_MAX:
        again = _after(rated, rng.uniform(3, 24))
        report.steps.append(Step(again, "resolve", {"again": True}))
        report.steps.append(Step(again + timedelta(days=7, minutes=rng.randint(5, 600)), "close"))


def _natural_rating(rng: random.Random, late: bool) -> int:
    weights = [4, 4, 10, 30, 52] if not late else [12, 10, 20, 30, 28]
    return rng.choices([1, 2, 3, 4, 5], weights)[0]


def plan_pilot(geography: _Geography) -> list[PlannedReport]:
    """1,104 reports in old Phan Thiết whose figures at 21/11/2024 are the article's."""
    rng = random.Random(f"{SEED}-pilot")
    areas = geography.areas("pilot")
    days = [PILOT_START + timedelta(days=n) for n in range((PILOT_END - PILOT_START).days + 1)]
    # The use of the app grew over the two years.
    day_weights = [1 + 0.6 * n / len(days) for n in range(len(days))]
    chosen = sorted(rng.choices(days, day_weights, k=PILOT_RECEIVED))
    reports = []
    for n, day in enumerate(chosen):
        area = rng.choices(areas, [a.weight for a in areas])[0]
        moment = datetime.combine(day, time(12), tzinfo=TZ)
        reports.append(_new_report(f"{KEY_PREFIX}pilot-{n:05d}", moment, area, rng, PILOT_DISTRICT))
    reports.sort(key=lambda r: (r.received_at, r.key))
    end = datetime.combine(PILOT_END + timedelta(days=1), time.min, tzinfo=TZ)

    # Fates: the 79 still open at the end are the latest ones and some late ones; of the
    # 1,025 completed, 24 rejected; of the 1,001 resolved, 981 rated by the end.
    fates = {r.key: rng.choices(["on_time", "late"], [88, 12])[0] for r in reports}
    latest = {report.key for report in reports[-22:]}
    open_at_end = set(latest)
    recent = [r.key for r in reports[-260:] if r.key not in open_at_end]
    open_at_end.update(rng.sample(recent, PILOT_RECEIVED - PILOT_COMPLETED - len(open_at_end)))
    completed = [r for r in reports if r.key not in open_at_end]
    for report in rng.sample(completed, PILOT_REJECTED):
        fates[report.key] = "rejected"
    for key in open_at_end - latest:
        fates[key] = "late"

    for report in reports:
        start = _plan_handling(report, rng, fates[report.key])
        if report.key in open_at_end:
            _push_after(report, end, rng, start)
        elif report.steps[-1].at >= end:
            _pull_before(report, end, rng)
    resolved = [r for r in reports if r.key not in open_at_end and fates[r.key] != "rejected"]
    # The unrated: those resolved last (no time to rate) and a few others.
    resolved.sort(key=lambda r: r.steps[-1].at)
    unrated_count = len(resolved) - PILOT_RATINGS
    unrated = {r.key for r in resolved[-8:]}
    unrated.update(r.key for r in rng.sample(resolved[:-8], unrated_count - len(unrated)))
    rated = [r for r in resolved if r.key not in unrated]
    ratings = [1] * PILOT_LOW_RATINGS[1] + [2] * PILOT_LOW_RATINGS[2] + [3] * PILOT_LOW_RATINGS[3]
    fives = round(PILOT_SATISFIED * 0.62)
    ratings += [4] * (PILOT_SATISFIED - fives) + [5] * fives
    # Late answers get the worse ratings, mostly.
    order = sorted(rated, key=lambda r: -(1.2 * (fates[r.key] == "late") + rng.random()))
    for report, rating in zip(order, sorted(ratings), strict=True):
        _plan_after_resolution(report, rng, rating, rate_by=end)
    for report in resolved:
        if report.key in unrated:
            _plan_after_resolution(report, rng, None)
    for report in reports:
        if report.key in open_at_end:
            _plan_after_resolution(report, rng, _natural_rating(rng, late=True))
    return reports


def _push_after(report: PlannedReport, end: datetime, rng: random.Random, start: datetime) -> None:
    """Complete the report only after the end of the period (still open at the end)."""
    resolve = report.steps.pop()
    if resolve.at < end:
        resolve.at = _after(max(end, start), rng.uniform(2, 90))
    report.steps.append(resolve)


def _pull_before(report: PlannedReport, end: datetime, rng: random.Random) -> None:
    """Complete the report before the end of the period (it was received just before):
    its steps keep their order, squeezed between its receipt and the end."""
    report.steps = [step for step in report.steps if step.action != "escalate"]
    span = (end - report.received_at) * rng.uniform(0.5, 0.95)
    first, last = report.received_at, report.steps[-1].at
    for step in report.steps:
        step.at = first + span * ((step.at - first) / (last - first))


def plan_province(geography: _Geography, until: datetime) -> list[PlannedReport]:
    """Every commune from the provincial trial to `until`, one seed per day."""
    areas = geography.areas("province")
    total_days = 730
    reports = []
    day = PROVINCE_START
    while day <= until.date():
        rng = random.Random(f"{SEED}-province-{day.isoformat()}")
        growth = min((day - PROVINCE_START).days / total_days, 1.0)
        for area in areas:
            share = area.weight * (1 + 0.4 * growth)
            count = _poisson(rng, share)
            for n in range(count):
                key = f"{KEY_PREFIX}{day:%Y%m%d}-{area.commune_code}-{n}"
                moment = datetime.combine(day, time(12), tzinfo=TZ)
                report = _new_report(key, moment, area, rng, None)
                if (until - report.received_at).days < APP_PHOTOS_SINCE_DAYS and rng.random() < 0.5:
                    report.source = ReportSource.APP
                fate = rng.choices(["on_time", "late", "rejected"], [84, 12, 4])[0]
                if (until - report.received_at).days < BACKLOG_DAYS and fate == "on_time":
                    fate = rng.choices(["on_time", "last_minute", "slow"], [25, 35, 40])[0]
                _plan_handling(report, rng, fate)
                if fate != "rejected":
                    rating = (
                        _natural_rating(rng, fate in ("late", "slow"))
                        if rng.random() < 0.8
                        else None
                    )
                    _plan_after_resolution(report, rng, rating)
                reports.append(report)
        day += timedelta(days=1)
    return reports


def _poisson(rng: random.Random, mean: float) -> int:
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


# -- loading ----------------------------------------------------------------------------


def load_categories() -> list[str]:
    """The categories, their questions and the routing rules (idempotent)."""
    created_categories = created_rules = 0
    with transaction.atomic():
        for order, row in enumerate(CATEGORIES, start=1):
            code, name, name_en, group, group_en, amount, unit, keywords = row
            category = Category.objects.filter(code=code).first()
            if category is None:
                description, description_en = texts.DESCRIPTIONS[code]
                category = services.category_create(
                    code=code,
                    name=name,
                    name_en=name_en,
                    description=description,
                    description_en=description_en,
                    group=group,
                    group_en=group_en,
                    deadline_amount=amount,
                    deadline_unit=unit,
                    keywords=keywords,
                    order=order * 10,
                )
                created_categories += 1
            for position, attribute in enumerate(ATTRIBUTES.get(code, []), start=1):
                attr_code, question, question_en, datatype, values = attribute
                if not CategoryAttribute.objects.filter(category=category, code=attr_code).exists():
                    services.category_attribute_create(
                        category=category,
                        code=attr_code,
                        description=question,
                        description_en=question_en,
                        datatype=datatype,
                        values=values,
                        order=position,
                    )
            # No service writes answer templates yet: the model, as the admin would.
            for position, text in enumerate(texts.ANSWERS.get(code, []), start=1):
                title = text.split(",")[0].split(";")[0].rstrip(".")[:200]
                if not AnswerTemplate.objects.filter(category=category, title=title).exists():
                    AnswerTemplate.objects.create(
                        category=category, title=title, text=text, order=position
                    )
        for category_code, unit, agency_code in _routing_table():
            category = Category.objects.get(code=category_code)
            if RoutingRule.objects.filter(category=category, unit=unit, is_active=True).exists():
                continue
            services.routing_rule_create(
                agency=Agency.objects.get(code=agency_code), category=category, unit=unit
            )
            created_rules += 1
    return [
        _(
            "%(categories)s categories (%(new_categories)s new), %(rules)s routing rules (%(new_rules)s new)"
        )
        % {
            "categories": Category.objects.count(),
            "new_categories": created_categories,
            "rules": RoutingRule.objects.filter(is_active=True).count(),
            "new_rules": created_rules,
        }
    ]


def _routing_table() -> list[tuple[str, AdminUnit | None, str]]:
    communes = list(AdminUnit.objects.filter(structure=Structure.CURRENT, level=Level.COMMUNE))
    districts = {
        unit.code: unit
        for unit in AdminUnit.objects.filter(structure=Structure.LEGACY, level=Level.DISTRICT)
    }
    districts_of: dict[int, set[str]] = {}
    for commune_id, district_code in UnitSuccession.objects.filter(
        successor__structure=Structure.CURRENT
    ).values_list("successor_id", "predecessor__parent__code"):
        districts_of.setdefault(commune_id, set()).add(district_code)
    rows: list[tuple[str, AdminUnit | None, str]] = []
    for category in COMMUNE_CATEGORIES:
        rows += [(category, commune, f"ubnd-{commune.code}") for commune in communes]
    rows += [(category, None, agency) for category, agency in PROVINCE_WIDE.items()]
    for category, (by_district, fallback) in URBAN_SERVICES.items():
        rows.append((category, None, fallback))
        rows += [
            (category, districts[code], agency)
            for code, agency in by_district.items()
            if code in districts
        ]
        rows += [
            (category, commune, f"ubnd-{commune.code}")
            for commune in communes
            if not districts_of.get(commune.id, set()) & set(by_district)
        ]
    return rows


def demo_photo(seed: int) -> bytes:
    """A small stand-in for a citizen's photo (a plain JPEG; the service re-encodes it)."""
    from PIL import Image

    rng = random.Random(seed)
    colour = (rng.randrange(60, 200), rng.randrange(60, 200), rng.randrange(60, 200))
    output = io.BytesIO()
    Image.new("RGB", (320, 240), colour).save(output, format="JPEG", quality=70)
    return output.getvalue()


def load_reports(*, parts: tuple[str, ...] = PARTS, until: datetime | None = None) -> list[str]:
    """Write the planned reports not written yet, through the services (idempotent)."""
    from ioc.reports.classifier import suggest_category

    until = until or timezone.now()
    geography = _Geography()
    plans: list[PlannedReport] = []
    if "pilot" in parts:
        plans += plan_pilot(geography)
    if "province" in parts:
        plans += plan_province(geography, until)
    plans = [plan for plan in plans if plan.received_at <= until]
    existing = set(
        Report.objects.filter(device_id__startswith=KEY_PREFIX).values_list("device_id", flat=True)
    )
    categories = {category.code: category for category in Category.objects.all()}
    agencies = {agency.code: agency for agency in Agency.objects.all()}
    written = 0
    with demo_clock() as clock, notifications.history_replayed():
        for plan in plans:
            if plan.key in existing:
                continue
            _write(plan, clock, until, categories, agencies, suggest_category)
            written += 1
    total = Report.objects.filter(device_id__startswith=KEY_PREFIX).count()
    return [_("%(total)s demo reports (%(new)s new)") % {"total": total, "new": written}]


def _write(
    plan: PlannedReport,
    clock: DemoClock,
    until: datetime,
    categories: dict[str, Category],
    agencies: dict[str, Agency],
    suggest: Callable[[str], list[tuple[str, float]]],
) -> None:
    clock.set(plan.received_at)
    with transaction.atomic():
        report = _submit(plan, categories, suggest)
        for step in plan.steps:
            if step.at > until:
                break
            clock.set(step.at)
            report = _take(step, report, plan, categories, agencies)


def _submit(
    plan: PlannedReport,
    categories: dict[str, Category],
    suggest: Callable[[str], list[tuple[str, float]]],
    reporter: User | None = None,
) -> Report:
    suggestion, confidence = None, None
    if plan.category is None:
        found = suggest(plan.description)
        if found:
            suggestion, confidence = categories.get(found[0][0]), found[0][1]
    photos = (
        [demo_photo(zlib.crc32(plan.key.encode()))]
        if plan.source in ReportSource.PHOTO_REQUIRED
        else []
    )
    return services.report_submit(
        category=categories[plan.category] if plan.category else None,
        description=plan.description,
        lat=plan.lat,
        lon=plan.lon,
        address=plan.address,
        photos=photos,
        attributes=plan.attributes,
        reporter=reporter,
        reporter_name=plan.reporter_name,
        reporter_phone=plan.reporter_phone,
        is_anonymous=plan.is_anonymous,
        source=plan.source,
        device_id=plan.key,
        received_at=plan.received_at,
        suggested_category=suggestion,
        suggestion_confidence=confidence,
    )


def _take(
    step: Step,
    report: Report,
    plan: PlannedReport,
    categories: dict[str, Category],
    agencies: dict[str, Agency],
    actor: User | None = None,
) -> Report:
    """One step of the plan through its service; `actor`: the demo account acting."""
    match step.action:
        case "triage":
            category = categories[plan.true_category]
            report = services.report_update(report=report, actor=None, category=category)
            location = locate(lat=report.lat, lon=report.lon)
            from ioc.reports.selectors import routing_resolve

            agency = routing_resolve(category=category, location=location)
            if agency is not None:
                report = services.report_assign(report=report, agency=agency, actor=None)
        case "transfer":
            if report.status in ReportStatus.WORKING:
                report = services.report_transfer(
                    report=report,
                    agency=agencies[step.values["agency"]],
                    reason=texts.TRANSFER_NATIONAL_ROAD,
                    actor=None,
                )
        case "start":
            if report.status == ReportStatus.ASSIGNED:
                report = services.report_transition(
                    report=report, to_status=ReportStatus.IN_PROGRESS, actor=actor
                )
        case "escalate":
            services.report_escalate(report=report, now=step.at)
        case "reject":
            report = services.report_reject(
                report=report,
                reason=step.values["reason"],
                note=texts.REJECT_NOTES[step.values["reason"]],
                actor=None,
            )
        case "resolve":
            answers = texts.ANSWERS.get(plan.true_category, texts.DEFAULT_ANSWERS)
            answer = (
                step.values.get("answer")
                or answers[zlib.crc32(f"{plan.key}{len(step.values)}".encode()) % len(answers)]
            )
            report = services.report_resolve(report=report, answer=answer, actor=actor)
        case "rate":
            report = services.report_rate(
                report=report,
                rating=step.values["rating"],
                comment=step.values["comment"],
                actor=actor,
            )
        case "close":
            if report.status == ReportStatus.RESOLVED:
                report = services.report_transition(
                    report=report,
                    to_status=ReportStatus.CLOSED,
                    actor=None,
                    verb="closed_unrated",
                    reason=_("Not rated within %(days)s days.") % {"days": 7},
                )
    return report


def load_demo_reports() -> list[str]:
    """The demo step: categories and rules, then the reports."""
    return [*load_categories(), *load_reports()]


# -- the demo accounts' reports -----------------------------------------------------------
# The history above is written before the demo accounts exist, so it leaves them nothing to
# see. This step, run after the accounts, writes a few reports of the last working days
# around them: the citizen's own (closed and rated, resolved awaiting her rating, in
# progress, in triage), reports waiting in the operators' triage queue, and overdue
# reports escalated by `report_escalate`, three of them in the staff's ward. Every step goes
# through the services, with the accounts as actors, in the order it happened, so each
# account's bell holds what the product would have told it, read up to the moment the
# account last looked. Times count back from the moment of loading in working days (past
# deadlines are passed, nothing lies in the future); the keys are fixed, so a later run
# writes nothing.

ACCOUNTS_PREFIX = f"{KEY_PREFIX}accounts-"
CITIZEN, STAFF, HEAD, OPERATOR = "demo.citizen", "demo.staff", "demo.head", "demo.operator"
CITIZEN_NAME, CITIZEN_PHONE = "Nguyễn Thị Lan", "0918350412"
HOME_COMMUNE = "22924"  # Phường Phú Thủy, the citizen's ward; its committee is the staff's


def plan_account_reports(geography: _Geography, until: datetime) -> list[PlannedReport]:
    """The demo accounts' reports, at moments counted back from `until`."""

    def day(working_days_back: int, clock: str) -> datetime:
        return _working_days_back(until, working_days_back, clock)

    def ago(hours: float) -> datetime:
        return until - timedelta(hours=hours)

    def late(category: str, received: datetime, minutes: int) -> Step:
        """The escalation a few minutes after the deadline the submission will set."""
        return Step(_deadline(category, received) + timedelta(minutes=minutes), "escalate")

    scenes = [
        # name, commune, chosen category (None: "I do not know"), problem, received, steps
        ("citizen-streetlight", HOME_COMMUNE, "den-chieu-sang", "den-chieu-sang", day(12, "06:50"), [
            Step(day(11, "08:10"), "start", by=STAFF),
            Step(day(10, "10:20"), "resolve", by=STAFF),
            Step(day(10, "20:15"), "rate", {"rating": 5}, by=CITIZEN)]),
        ("citizen-pothole", HOME_COMMUNE, "o-ga", "o-ga", day(4, "18:30"), [
            Step(day(3, "08:40"), "start", by=STAFF),
            Step(day(1, "15:40"), "resolve", by=STAFF)]),
        ("citizen-pavement", HOME_COMMUNE, "lan-chiem", "lan-chiem", day(2, "19:45"), [
            Step(day(1, "08:30"), "start", by=STAFF)]),
        ("citizen-drain", HOME_COMMUNE, None, "ngap-ung", ago(0.6), []),
        ("triage-tree-wire", "22933", None, "cay-xanh", ago(1.5), []),
        ("triage-smell", "22945", None, "o-nhiem", ago(4), []),
        ("triage-truck", "22918", None, "lan-chiem", ago(9), []),
        ("overdue-pothole", HOME_COMMUNE, "o-ga", "o-ga", day(8, "07:55"), [
            Step(day(7, "09:30"), "start", by=STAFF),
            late("o-ga", day(8, "07:55"), 9)]),
        ("overdue-streetlight", HOME_COMMUNE, "den-chieu-sang", "den-chieu-sang", day(5, "18:20"), [
            late("den-chieu-sang", day(5, "18:20"), 6)]),
        ("overdue-karaoke", HOME_COMMUNE, "tieng-on", "tieng-on", day(6, "22:40"), [
            Step(day(5, "08:15"), "start", by=STAFF),
            late("tieng-on", day(6, "22:40"), 12)]),
        ("overdue-waste", "22945", "rac-thai", "rac-thai", day(4, "06:30"), [
            late("rac-thai", day(4, "06:30"), 4)]),
    ]  # fmt: skip
    areas = {area.commune_code: area for area in geography.areas("province")}
    plans = []
    for name, commune, category, problem, received, steps in scenes:
        rng = random.Random(f"{SEED}-accounts-{name}")
        description, address, answer, comment = texts.ACCOUNT_SCENES[name]
        lat, lon = _point_in(areas[commune], rng, PILOT_DISTRICT)
        citizen = name.startswith("citizen-")
        for step in steps:
            if step.action == "resolve":
                step.values["answer"] = answer
            if step.action == "rate":
                step.values["comment"] = comment
        if any(step.at >= until for step in steps) or received >= until:
            raise RuntimeError(f"The demo scene {name} would end after {until}")
        plans.append(
            PlannedReport(
                key=f"{ACCOUNTS_PREFIX}{name}",
                received_at=received,
                category=category,
                true_category=problem,
                lat=lat,
                lon=lon,
                description=description,
                address=address,
                source=ReportSource.WEB if citizen else rng.choice(_PUBLIC_SOURCES),
                reporter_name=CITIZEN_NAME if citizen else "",
                reporter_phone=CITIZEN_PHONE if citizen else f"09{rng.randrange(10**8):08d}",
                is_anonymous=False,
                attributes={},
                steps=steps,
                reporter=CITIZEN if citizen else "",
            )
        )
    return plans


_PUBLIC_SOURCES = [ReportSource.PHONE, ReportSource.OPEN311, ReportSource.SOCIAL]
# When each account last opened its notifications (working days back, local time): what
# came before is read, what came after waits behind the bell.
ACCOUNTS_LAST_READ = {CITIZEN: (2, "21:00"), STAFF: (2, "16:30"), HEAD: (3, "08:00"),
                      OPERATOR: (3, "16:00")}  # fmt: skip


def _working_days_back(moment: datetime, count: int, clock: str) -> datetime:
    """`clock` (local time) on the working day `count` working days before `moment`'s day."""
    day = timezone.localtime(moment, TZ).date()
    for _n in range(count):
        day -= timedelta(days=1)
        while not is_working_day(day):
            day -= timedelta(days=1)
    return datetime.combine(day, time.fromisoformat(clock), tzinfo=TZ)


def load_account_reports(*, until: datetime | None = None) -> list[str]:
    """The demo step run after the demo accounts: their reports and notifications
    (idempotent)."""
    from ioc.inbox.services import notifications_mark_all_read
    from ioc.reports.classifier import suggest_category

    until = until or timezone.now()
    users = {user.username: user for user in User.objects.filter(username__in=ACCOUNTS_LAST_READ)}
    missing = sorted(set(ACCOUNTS_LAST_READ) - set(users))
    if missing:
        raise RuntimeError(
            f"The demo accounts {', '.join(missing)} are missing: run the accounts step first."
        )
    existing = set(
        Report.objects.filter(device_id__startswith=ACCOUNTS_PREFIX).values_list(
            "device_id", flat=True
        )
    )
    plans = [plan for plan in plan_account_reports(_Geography(), until) if plan.key not in existing]
    categories = {category.code: category for category in Category.objects.all()}
    agencies = {agency.code: agency for agency in Agency.objects.all()}
    written: dict[str, Report] = {}
    with demo_clock() as clock:
        for moment, _order, plan, step, reader in _account_events(plans, until):
            clock.set(moment)
            with transaction.atomic():
                if reader:
                    notifications_mark_all_read(user=users[reader])
                elif step is None:
                    reporter = users.get(plan.reporter)
                    written[plan.key] = _submit(plan, categories, suggest_category, reporter)
                else:
                    actor = users.get(step.by)
                    report = written[plan.key]
                    written[plan.key] = _take(step, report, plan, categories, agencies, actor)
    mine = Report.objects.filter(device_id__startswith=ACCOUNTS_PREFIX)
    return [
        _(
            "%(total)s reports around the demo accounts (%(new)s new): %(citizen)s sent by "
            "%(username)s, %(triage)s awaiting triage, %(escalated)s overdue and escalated"
        )
        % {
            "total": mine.count(),
            "new": len(plans),
            "citizen": mine.filter(reporter__username=CITIZEN).count(),
            "username": CITIZEN,
            "triage": mine.filter(status=ReportStatus.TRIAGE).count(),
            "escalated": mine.filter(
                escalated_at__isnull=False, status__in=sorted(ReportStatus.OPEN)
            ).count(),
        }
    ]


# When, in which order, which report (none: a reading), which step (none: the submission),
# whose reading.
_Event = tuple[datetime, int, Any, Step | None, str]


def _account_events(plans: list[PlannedReport], until: datetime) -> list[_Event]:
    """Every submission, step and reading of the bell, in the order they happened: a
    notification is read only if it came before the account last looked."""
    events: list[_Event] = []
    for plan in plans:
        events.append((plan.received_at, len(events), plan, None, ""))
        events += [(step.at, len(events) + n, plan, step, "") for n, step in enumerate(plan.steps)]
    if plans:
        for username, (working_days_back, clock) in ACCOUNTS_LAST_READ.items():
            moment = _working_days_back(until, working_days_back, clock)
            events.append((moment, len(events), None, None, username))
    return sorted(events, key=lambda event: event[:2])


def write_category_examples(path: Path) -> int:
    """Write the classifier's labelled examples (JSON lines): three wordings of every core
    sentence of the phrase bank, and the short messages; returns how many."""
    rng = random.Random(f"{SEED}-examples")
    rows = []
    for category, cores in texts.CORES.items():
        for number, core in enumerate(cores):
            for _variant in range(3):
                commune = rng.choice(EXAMPLE_COMMUNES)
                street = rng.choice(texts.GENERIC_STREETS + texts.STREETS["22945"])
                text = compose_text(core, rng, commune=commune, street=street)
                rows.append({"text": text, "category": category, "group": f"{category}-{number}"})
        for number, short in enumerate(texts.SHORT.get(category, [])):
            rows.append(
                {"text": short, "category": category, "group": f"{category}-short-{number}"}
            )
    with path.open("w", encoding="utf-8") as output:
        for row in rows:
            output.write(json.dumps(row, ensure_ascii=False) + "\n")
    return len(rows)


EXAMPLE_COMMUNES = ["Phan Thiết", "Mũi Né", "La Gi", "Liên Hương", "Bắc Bình", "Hàm Thuận",
                    "Tánh Linh", "Đức Linh", "Phú Quý", "Hàm Tân"]  # fmt: skip
