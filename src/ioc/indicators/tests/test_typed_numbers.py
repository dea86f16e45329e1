"""Numbers typed in the entry forms follow the page's language; machine inputs do not."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from ioc.accounts.choices import Role
from ioc.accounts.tests.factories import AgencyFactory, UserFactory
from ioc.indicators.datasets import data_set_define
from ioc.indicators.dhis2 import parse_csv
from ioc.indicators.hierarchy import Hierarchy
from ioc.indicators.models import DataValue, OrgUnit, Sector, Target
from ioc.indicators.services import data_value_set, data_values_import
from ioc.indicators.typed_numbers import typed_display, typed_number, typed_value

# -- the parser ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text", "plain"),
    [
        ("vi", "1.250", "1250"),
        ("vi", "1.250,5", "1250.5"),
        ("vi", "12,5", "12.5"),
        ("vi", "1250", "1250"),
        ("vi", "1 250", "1250"),
        ("vi", "1\u00a0250,75", "1250.75"),
        ("vi", "1.000.000", "1000000"),
        ("vi", "-1.250,5", "-1250.5"),
        ("vi", "0,125", "0.125"),
        ("vi", "  ", ""),
        ("en", "1,250", "1250"),
        ("en", "1,250.5", "1250.5"),
        ("en", "12.5", "12.5"),
        ("en", "1250", "1250"),
        ("en", "1 250", "1250"),
        ("en", "1\u202f250.75", "1250.75"),
        ("en", "1,000,000", "1000000"),
        ("en", "0.125", "0.125"),
    ],
)
def test_numbers_typed_as_the_page_writes_them_are_read(language, text, plain):
    assert typed_number(text, language) == plain


VI_GROUP = "“.” separates thousands, in groups of three digits."
EN_GROUP = "“,” separates thousands, in groups of three digits."
VI_RULES = "thousands are grouped with “.” and decimals follow “,”, as in 1.250,5."
EN_RULES = "thousands are grouped with “,” and decimals follow “.”, as in 1,250.5."


@pytest.mark.parametrize(
    ("language", "text", "message"),
    [
        (
            "vi",
            "1.25",
            f"“1.25” is ambiguous: on this page {VI_GROUP} Write 1,25 for the decimal "
            "number, or 125 for the whole number.",
        ),
        (
            "vi",
            "0.250",
            f"“0.250” is ambiguous: on this page {VI_GROUP} Write 0,250 for the decimal "
            "number, or 250 for the whole number.",
        ),
        (
            "vi",
            "1,250.5",
            f"“1,250.5” is not a number as this page writes them: {VI_RULES} Did you mean 1.250,5?",
        ),
        (
            "vi",
            "1,000,000",
            f"“1,000,000” is not a number as this page writes them: {VI_RULES} "
            "Did you mean 1.000.000?",
        ),
        ("vi", "1.25.0", f"“1.25.0” is not a number as this page writes them: {VI_RULES}"),
        ("vi", "many", "“many” is not a number."),
        (
            "en",
            "12,5",
            f"“12,5” is ambiguous: on this page {EN_GROUP} Write 12.5 for the decimal "
            "number, or 125 for the whole number.",
        ),
        (
            "en",
            "1.250,5",
            f"“1.250,5” is not a number as this page writes them: {EN_RULES} Did you mean 1,250.5?",
        ),
        ("en", "1,2,3", f"“1,2,3” is not a number as this page writes them: {EN_RULES}"),
    ],
)
def test_text_the_page_cannot_read_is_refused_with_its_readings(language, text, message):
    with pytest.raises(ValueError) as refused:
        typed_number(text, language)
    assert str(refused.value) == message


@pytest.mark.parametrize(
    ("language", "value_type", "text", "result"),
    [
        ("vi", "NUMBER", "1.250", "1250"),
        ("vi", "INTEGER", "1.250", "1250"),
        ("vi", "NUMBER", "1.250,5", "1250.5"),
        (
            "vi",
            "NUMBER",
            "1,250",
            "“1,250” is ambiguous: on this page “,” marks decimals, but three digits after it "
            "read as thousands elsewhere. Write 1.250 or 1250 for the whole number, or 1,2500 "
            "for the decimal number.",
        ),
        ("vi", "NUMBER", "1,2500", "1.2500"),
        (
            "vi",
            "INTEGER",
            "1,250",
            "“1,250” is not a whole number: on this page “,” marks decimals. Write 1.250 or "
            "1250 for the whole number.",
        ),
        ("vi", "INTEGER", "12,5", "“12,5” is not a whole number."),
        ("vi", "INTEGER_POSITIVE", "-1.250", "“-1.250” must be greater than zero."),
        ("en", "NUMBER", "1,250", "1250"),
        ("en", "INTEGER", "1,250", "1250"),
        (
            "en",
            "NUMBER",
            "1.250",
            "“1.250” is ambiguous: on this page “.” marks decimals, but three digits after it "
            "read as thousands elsewhere. Write 1,250 or 1250 for the whole number, or 1.2500 "
            "for the decimal number.",
        ),
        (
            "en",
            "INTEGER",
            "1.250",
            "“1.250” is not a whole number: on this page “.” marks decimals. Write 1,250 or "
            "1250 for the whole number.",
        ),
        ("en", "NUMBER", "12.5", "12.5"),
        ("en", "PERCENTAGE", "1,250", "“1,250” is not a percentage between 0 and 100."),
    ],
)
def test_a_value_is_checked_for_its_indicator_naming_the_text_as_typed(
    language, value_type, text, result
):
    try:
        outcome = typed_value(text, value_type, language)
    except ValueError as error:
        outcome = str(error)
    assert outcome == result


def test_vietnamese_messages_are_translated():
    with translation.override("vi"), pytest.raises(ValueError) as refused:
        typed_value("1.25", "NUMBER", "vi")
    assert str(refused.value) == (
        "“1.25” chưa rõ nghĩa: trên trang này “.” ngăn cách hàng nghìn, theo nhóm ba chữ số. "
        "Viết 1,25 nếu là số thập phân, hoặc 125 nếu là số nguyên."
    )


@pytest.mark.parametrize(
    ("value", "vi", "en"),
    [
        ("1250.500000", "1.250,5", "1,250.5"),
        ("1000", "1.000", "1,000"),
        ("-1234567.25", "-1.234.567,25", "-1,234,567.25"),
        ("0.125", "0,125", "0.125"),
        ("999", "999", "999"),
    ],
)
def test_stored_values_are_shown_as_the_page_writes_them_and_read_back(value, vi, en):
    assert typed_display(Decimal(value), "vi") == vi
    assert typed_display(Decimal(value), "en") == en
    assert Decimal(typed_number(vi, "vi")) == Decimal(value)
    assert Decimal(typed_number(en, "en")) == Decimal(value)


# -- machine inputs keep their locale-independent reading -------------------------------------


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_dhis2_csv_value_is_read_whatever_the_language(loaded_geo, make_indicator, language):
    make_indicator("RATE", value_type="NUMBER")
    csv = (
        "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value\n"
        "RATE,202410,22918,,,1.5\n"
        "RATE,202411,22918,,,1250\n"
    )
    with translation.override(language):
        summary = data_values_import(rows=parse_csv(csv.encode()))
    assert summary.conflicts == []
    assert sorted(DataValue.objects.values_list("period", "value")) == [
        ("202410", Decimal("1.5")),
        ("202411", Decimal("1250")),
    ]


# -- the forms, through the page, in each language -------------------------------------------


@pytest.fixture
def entry_world(loaded_geo, make_indicator):
    agency = AgencyFactory(code="soyte")
    health = Sector.objects.get(code="health")
    rate = make_indicator("RATE", sector=health, source_agency=agency, value_type="NUMBER")
    beds = make_indicator(
        "BEDS", sector=health, source_agency=agency, value_type="INTEGER_ZERO_OR_POSITIVE"
    )
    loose = make_indicator("LOOSE", sector=health, source_agency=agency, value_type="NUMBER")
    hierarchy = Hierarchy.load()
    ward = OrgUnit.objects.get(pk=hierarchy.resolve("22918").org_unit_id)
    data_set_define(
        code="YT-THANG",
        name="Báo cáo y tế tháng",
        agency=agency,
        period_type="MONTHLY",
        deadline_days=10,
        indicators=[rate, beds],
        org_units=[ward],
    )
    return {
        "rate": rate,
        "beds": beds,
        "loose": loose,
        "ward": ward,
        "staff": UserFactory(role=Role.AGENCY_STAFF, agency=agency),
    }


FORM = {"dataset": "YT-THANG", "period": "202410", "unit": "current:22918", "action": "draft"}
GRID = {"sector": "health", "period": "202410", "unit": "current:22918"}


def _stored(indicator):
    return DataValue.objects.get(indicator=indicator, period="202410").value


@pytest.mark.parametrize(
    ("language", "rate", "beds", "shown_rate", "shown_beds"),
    [
        ("vi", "1.250,5", "1.250", "1.250,5", "1.250"),
        ("en", "1,250.5", "1 250", "1,250.5", "1,250"),
    ],
)
def test_the_data_set_form_saves_and_shows_values_in_the_language(
    entry_world, client, language, rate, beds, shown_rate, shown_beds
):
    client.cookies["django_language"] = language
    client.force_login(entry_world["staff"])

    saved = client.post("/indicators/entry/", {**FORM, "value-RATE": rate, "value-BEDS": beds})
    page = client.get("/indicators/entry/?dataset=YT-THANG&period=202410&unit=current:22918")

    assert saved.status_code == 302
    assert _stored(entry_world["rate"]) == Decimal("1250.5")
    assert _stored(entry_world["beds"]) == Decimal("1250")
    texts = {row["indicator"].code: row["text"] for row in page.context["rows"]}
    assert texts == {"RATE": shown_rate, "BEDS": shown_beds}


def test_an_ambiguous_value_on_a_vietnamese_form_saves_nothing_and_keeps_the_text(
    entry_world, client
):
    client.cookies["django_language"] = "vi"
    client.force_login(entry_world["staff"])

    refused = client.post(
        "/indicators/entry/", {**FORM, "value-RATE": "1.25", "value-BEDS": "1,250"}
    )

    assert refused.status_code == 200
    rows = {row["indicator"].code: row for row in refused.context["rows"]}
    assert rows["RATE"]["text"] == "1.25"
    assert rows["RATE"]["error"] == (
        "“1.25” chưa rõ nghĩa: trên trang này “.” ngăn cách hàng nghìn, theo nhóm ba chữ số. "
        "Viết 1,25 nếu là số thập phân, hoặc 125 nếu là số nguyên."
    )
    assert rows["BEDS"]["text"] == "1,250"
    assert rows["BEDS"]["error"] == (
        "“1,250” không phải là số nguyên: trên trang này “,” là dấu thập phân. Viết 1.250 "
        "hoặc 1250 nếu là số nguyên."
    )
    assert not DataValue.objects.exists()


def test_the_same_text_means_the_language_s_number_on_the_english_form(entry_world, client):
    client.force_login(entry_world["staff"])  # English (the test client's cookie)

    refused = client.post("/indicators/entry/", {**FORM, "value-RATE": "1.250,5"})
    saved = client.post("/indicators/entry/", {**FORM, "value-RATE": "12.5"})

    assert refused.status_code == 200
    errors = {row["indicator"].code: row["error"] for row in refused.context["rows"]}
    assert errors["RATE"] == (
        f"“1.250,5” is not a number as this page writes them: {EN_RULES} Did you mean 1,250.5?"
    )
    assert saved.status_code == 302
    assert _stored(entry_world["rate"]) == Decimal("12.5")


@pytest.mark.parametrize(
    ("language", "typed", "stored", "shown"),
    [("vi", "1.250,5", "1250.5", "1.250,5"), ("en", "1,250.5", "1250.5", "1,250.5")],
)
def test_the_sector_grid_reads_and_shows_values_in_the_language(
    entry_world, client, language, typed, stored, shown
):
    client.cookies["django_language"] = language
    client.force_login(entry_world["staff"])

    saved = client.post("/indicators/entry/", {**GRID, "value-LOOSE": typed})
    again = client.post("/indicators/entry/", {**GRID, "value-LOOSE": shown})
    page = client.get("/indicators/entry/?sector=health&period=202410&unit=current:22918")

    assert saved.status_code == 302
    assert again.status_code == 302  # unchanged: nothing written again
    assert _stored(entry_world["loose"]) == Decimal(stored)
    assert DataValue.objects.filter(indicator=entry_world["loose"]).count() == 1
    texts = {row["indicator"].code: row["text"] for row in page.context["rows"]}
    assert texts == {"LOOSE": shown}


def test_an_ambiguous_value_in_the_vietnamese_grid_is_refused(entry_world, client):
    client.cookies["django_language"] = "vi"
    client.force_login(entry_world["staff"])

    refused = client.post("/indicators/entry/", {**GRID, "value-LOOSE": "12.5"})

    assert refused.status_code == 200
    rows = {row["indicator"].code: row for row in refused.context["rows"]}
    assert rows["LOOSE"]["text"] == "12.5"
    assert rows["LOOSE"]["error"] == (
        "“12.5” chưa rõ nghĩa: trên trang này “.” ngăn cách hàng nghìn, theo nhóm ba chữ số. "
        "Viết 12,5 nếu là số thập phân, hoặc 125 nếu là số nguyên."
    )
    assert not DataValue.objects.filter(indicator=entry_world["loose"]).exists()


@pytest.mark.parametrize("form", [FORM, GRID], ids=["data set", "sector grid"])
def test_a_stored_value_with_three_decimals_is_posted_back_unchanged(entry_world, client, form):
    # “1,125” would be refused if typed; shown for a stored 1.125 it is the stored value.
    indicator = entry_world["rate"] if "dataset" in form else entry_world["loose"]
    data_value_set(
        indicator=indicator, org_unit=entry_world["ward"], period="202410", value="1.125"
    )
    client.cookies["django_language"] = "vi"
    client.force_login(entry_world["staff"])
    code = indicator.code

    page = client.get("/indicators/entry/", {k: v for k, v in form.items() if k != "action"})
    posted = client.post("/indicators/entry/", {**form, f"value-{code}": "1,125"})

    texts = {row["indicator"].code: row["text"] for row in page.context["rows"]}
    assert texts[code] == "1,125"
    assert posted.status_code == 302
    assert _stored(indicator) == Decimal("1.125")


@pytest.mark.parametrize(
    ("language", "typed", "shown"), [("vi", "1.250,5", "1.250,5"), ("en", "1,250.5", "1,250.5")]
)
def test_a_target_typed_in_the_administration_follows_the_language(
    entry_world, client, language, typed, shown
):
    client.cookies["django_language"] = language
    client.force_login(UserFactory(role=Role.ADMIN))
    form = {"indicator": entry_world["rate"].pk, "org_unit": entry_world["ward"].pk, "year": 2024}

    refused = client.post(reverse("admin:indicators_target_add"), {**form, "value": "1.25,0"})
    added = client.post(reverse("admin:indicators_target_add"), {**form, "value": typed})
    target = Target.objects.get()
    page = client.get(reverse("admin:indicators_target_change", args=[target.pk]))

    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors["value"] == [
        {
            "vi": "“1.25,0” không phải là số theo cách viết của trang này: hàng nghìn ngăn cách "
            "bằng “.”, phần thập phân sau “,”, ví dụ 1.250,5.",
            "en": f"“1.25,0” is not a number as this page writes them: {EN_RULES}",
        }[language]
    ]
    assert added.status_code == 302
    assert target.value == Decimal("1250.5")
    assert f'value="{shown}"' in page.content.decode()
