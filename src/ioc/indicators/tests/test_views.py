"""The indicator pages over a small world: exact figures, roles, bad input (never a 500)."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ioc.accounts.choices import Role
from ioc.accounts.tests.factories import AgencyFactory, UserFactory
from ioc.core.models import TimelineEvent
from ioc.indicators.hierarchy import Hierarchy
from ioc.indicators.models import DataValue, Indicator, OrgUnit, Sector
from ioc.indicators.services import data_value_set, target_set


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Checked import files wait in the media storage: a temporary one here."""
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def world(loaded_geo, make_indicator):
    """Examinations in two wards in 10/2024 (100 and 50) and 10/2023 (80); a 2024 target
    of 1,000 for the province; beds reported by the health department."""
    health_department = AgencyFactory(code="soyte")
    statistics = AgencyFactory(code="thongke")
    health = Sector.objects.get(code="health")
    visits = make_indicator(
        "VISITS",
        name="Số lượt khám bệnh",
        name_en="Examinations",
        sector=health,
        source_agency=health_department,
        unit="lượt",
        decimals=0,
    )
    beds = make_indicator(
        "BEDS",
        name="Số giường bệnh",
        sector=health,
        source_agency=health_department,
        time_aggregation="LAST",
        decimals=0,
    )
    population = make_indicator(
        "POP",
        name="Dân số",
        sector=Sector.objects.get(code="socio-economic"),
        source_agency=statistics,
        period_type="YEARLY",
        time_aggregation="LAST",
    )
    hierarchy = Hierarchy.load()
    ward = OrgUnit.objects.get(pk=hierarchy.resolve("22918").org_unit_id)
    other_ward = OrgUnit.objects.get(pk=hierarchy.resolve("22924").org_unit_id)
    province = OrgUnit.objects.get(
        pk=next(
            u for u in hierarchy.by_code["current"].values() if u.level == "province"
        ).org_unit_id
    )
    data_value_set(indicator=visits, org_unit=ward, period="202410", value="100")
    data_value_set(indicator=visits, org_unit=other_ward, period="202410", value="50")
    data_value_set(indicator=visits, org_unit=ward, period="202310", value="80")
    target_set(indicator=visits, org_unit=province, year=2024, value=Decimal(1000))
    return {
        "visits": visits,
        "beds": beds,
        "population": population,
        "ward": ward,
        "other_ward": other_ward,
        "health_department": health_department,
        "statistics": statistics,
        "admin": UserFactory(role=Role.ADMIN),
        "staff": UserFactory(role=Role.AGENCY_STAFF, agency=health_department),
        "leader": UserFactory(role=Role.LEADER),
    }


def test_the_health_dashboard_shows_the_engines_figures_for_the_period(world, client):
    client.force_login(world["leader"])

    response = client.get("/indicators/health/?period=202410&indicator=VISITS")

    assert response.status_code == 200
    tile = next(t for t in response.context["tiles"] if t.indicator.code == "VISITS")
    assert tile.value == Decimal(150)
    assert tile.last_year == Decimal(80)
    assert tile.change_pct == Decimal("87.50")
    assert tile.target == Decimal(1000)
    assert tile.achievement_pct == Decimal("15.00")
    assert [(r.unit.code, r.value) for r in response.context["ranked"]] == [
        ("22918", Decimal(100)),
        ("22924", Decimal(50)),
    ]
    assert len(response.context["unranked"]) == 43
    data = response.context["chart_data"]
    assert data["map"]["22918"] == 100.0
    assert data["trend"]["series"][1]["values"][9] == 150.0  # October 2024
    assert data["trend"]["series"][0]["values"][9] == 80.0  # October 2023
    assert response["Server-Timing"].startswith("app;dur=")


def test_the_area_filter_narrows_the_figures_to_one_commune(world, client):
    client.force_login(world["leader"])

    response = client.get("/indicators/health/?period=202410&area=commune:22924")

    tile = next(t for t in response.context["tiles"] if t.indicator.code == "VISITS")
    assert tile.value == Decimal(50)
    assert tile.last_year is None


def test_legacy_districts_rank_the_same_facts(world, client):
    client.force_login(world["leader"])

    response = client.get("/indicators/health/?period=202410&indicator=VISITS&map=district")

    assert sum(r.value for r in response.context["ranked"]) == Decimal(150)
    assert "structure=legacy" in response.context["geojson_url"]


def test_a_period_without_data_says_what_to_do(world, client):
    client.force_login(world["staff"])

    response = client.get("/indicators/health/?period=201901")

    assert response.status_code == 200
    assert 'data-testid="empty-state"' in response.content.decode()
    assert reverse("indicators:import") in response.content.decode()


@pytest.mark.parametrize(
    "query", ["period=2024W99", "period=abc", "area=ward:1", "from=2024-13-01&to=x", "map=moon"]
)
def test_bad_filters_never_break_the_dashboard(world, client, query):
    client.force_login(world["leader"])

    assert client.get(f"/indicators/health/?{query}").status_code == 200


def test_an_unknown_sector_is_not_found(world, client):
    client.force_login(world["leader"])

    assert client.get("/indicators/astrology/").status_code == 404


@pytest.mark.parametrize(
    ("role", "url", "status"),
    [
        (Role.CITIZEN, "/indicators/health/", 302),
        (Role.AGENCY_STAFF, "/indicators/health/", 200),
        (Role.AGENCY_HEAD, "/indicators/socio-economic/", 200),
        (Role.OPERATOR, "/indicators/tourism/", 200),
        (Role.LEADER, "/indicators/education/", 200),
        (Role.LEADER, "/indicators/entry/", 403),
        (Role.LEADER, "/indicators/import/", 403),
        (Role.LEADER, "/indicators/catalogue/", 403),
        (Role.OPERATOR, "/indicators/catalogue/", 403),
        (Role.AGENCY_STAFF, "/indicators/catalogue/new/", 403),
        (Role.AGENCY_STAFF, "/indicators/entry/", 200),
        (Role.AGENCY_STAFF, "/indicators/import/", 200),
        (Role.OPERATOR, "/indicators/entry/completeness/", 200),
        (Role.ADMIN, "/indicators/catalogue/", 200),
        (Role.ADMIN, "/indicators/catalogue/VISITS/", 200),
        (Role.ADMIN, "/indicators/values/VISITS/?period=202410", 200),
    ],
)
def test_each_role_opens_the_pages_it_may(world, client, role, url, status):
    client.force_login(UserFactory(role=role))

    assert client.get(url).status_code == status


def test_anonymous_visitors_are_sent_to_log_in(world, client):
    response = client.get("/indicators/health/")

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_drill_down_lists_each_value_with_its_source(world, client):
    client.force_login(world["leader"])

    response = client.get("/indicators/values/VISITS/?period=202410")

    rows = response.context["rows"]
    assert [(r["unit"].code, r["value"].value) for r in rows] == [
        ("22918", Decimal(100)),
        ("22924", Decimal(50)),
    ]
    assert rows[0]["value"].source == "form"
    assert rows[0]["value"].stored_by == "system"
    assert rows[0]["status_colour"] == "info"


# -- the catalogue ----------------------------------------------------------------------

FORM = {
    "name": "Lượt khám trên 1.000 dân",
    "name_en": "Examinations per 1,000 people",
    "unit": "lượt/1.000 dân",
    "value_type": "NUMBER",
    "period_type": "YEARLY",
    "area_aggregation": "SUM",
    "time_aggregation": "LAST",
    "direction": "HIGHER",
    "decimals": "1",
    "numerator": "#{VISITS}",
    "denominator": "#{POP}",
    "factor": "1000",
    "missing_values": "SKIP_IF_ANY_VALUE_MISSING",
    "is_active": "on",
}


def _form(world, **changes):
    data = {**FORM, "code": "VISITS_PER_1K", "sector": Sector.objects.get(code="health").pk}
    data.update(changes)
    return data


def test_an_administrator_adds_a_computed_indicator(world, client):
    client.force_login(world["admin"])

    response = client.post("/indicators/catalogue/new/", _form(world))

    assert response.status_code == 302
    indicator = Indicator.objects.get(code="VISITS_PER_1K")
    assert (indicator.numerator, indicator.denominator, indicator.factor) == (
        "#{VISITS}",
        "#{POP}",
        Decimal(1000),
    )
    assert (
        TimelineEvent.objects.filter(verb="indicator_created", object_id=indicator.pk).count() == 1
    )


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"numerator": "#{NOPE} + #{VISITS}"}, "numerator", "Unknown indicator codes: NOPE."),
        ({"denominator": "#{POP} *"}, "denominator", "position"),
        ({"numerator": "#{VISITS_PER_1K}"}, "numerator", "VISITS_PER_1K → VISITS_PER_1K"),
        ({"denominator": "2 - 2"}, "denominator", "The denominator is always zero."),
        ({"code": "with space"}, "code", "letters, digits"),
        ({"decimals": "many"}, "decimals", "whole number"),
    ],
)
def test_formula_and_field_errors_show_on_their_field(world, client, changes, field, message):
    client.force_login(world["admin"])

    response = client.post("/indicators/catalogue/new/", _form(world, **changes))

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert message in " ".join(errors[field])
    assert not Indicator.objects.filter(code__in=["VISITS_PER_1K", "with space"]).exists()


def test_a_cycle_through_another_indicator_is_refused(world, client, make_indicator):
    make_indicator("RATIO", numerator="#{VISITS}", denominator="#{POP}")
    client.force_login(world["admin"])

    response = client.post(
        "/indicators/catalogue/POP/",
        {**_form(world, code="POP", numerator="#{RATIO}", denominator="")},
    )

    assert response.status_code == 200
    assert "POP → RATIO → POP" in " ".join(response.context["form"].errors["numerator"])


def test_editing_an_indicator_keeps_its_history(world, client):
    client.force_login(world["admin"])
    data = _form(world, code="BEDS", numerator="", denominator="", factor="1")
    data.update(name="Số giường bệnh thực kê", period_type="MONTHLY", decimals="0")

    response = client.post("/indicators/catalogue/BEDS/", data)
    page = client.get("/indicators/catalogue/BEDS/")

    assert response.status_code == 302
    assert Indicator.objects.get(code="BEDS").name == "Số giường bệnh thực kê"
    changes = page.context["history"][0]["changes"]
    assert ("name", "Số giường bệnh", "Số giường bệnh thực kê") in changes


# -- data entry -------------------------------------------------------------------------


def test_agency_staff_enter_values_and_see_errors_per_cell(world, client):
    client.force_login(world["staff"])

    response = client.post(
        "/indicators/entry/",
        {
            "sector": "health",
            "period": "202411",
            "unit": "current:22918",
            "value-VISITS": "120.5",  # an English page (the test client's language)
            "value-BEDS": "many",
        },
    )

    assert response.status_code == 200
    errors = {row["indicator"].code: row["error"] for row in response.context["rows"]}
    assert errors["BEDS"] == "“many” is not a number."
    assert errors["VISITS"] == ""
    saved = DataValue.objects.get(
        indicator=world["visits"], org_unit=world["ward"], period="202411"
    )
    assert saved.value == Decimal("120.5")
    assert not DataValue.objects.filter(indicator=world["beds"]).exists()


def test_the_entry_grid_holds_only_the_agencys_indicators(world, client):
    client.force_login(UserFactory(role=Role.AGENCY_STAFF, agency=world["statistics"]))

    response = client.get("/indicators/entry/?sector=socio-economic&period=2024&unit=current:22918")

    assert [row["indicator"].code for row in response.context["rows"]] == ["POP"]


def test_a_bad_period_or_unit_in_the_entry_form_is_an_error_not_a_crash(world, client):
    client.force_login(world["staff"])

    response = client.get("/indicators/entry/?sector=health&period=2024-13&unit=current:99999")

    assert response.status_code == 200
    assert response.context["period_error"]
    assert "99999" in response.context["unit_error"]


def test_completeness_names_the_units_that_have_not_reported(world, client):
    client.force_login(world["staff"])

    response = client.get("/indicators/entry/completeness/?sector=health&period=202410")
    later = client.get("/indicators/entry/completeness/?sector=health&period=202411")

    assert sorted(
        (r["unit"].code, r["reported"], r["expected"]) for r in response.context["rows"]
    ) == [("22918", 1, 1), ("22924", 1, 1)]
    assert response.context["missing"] == 0
    assert sorted(
        (r["unit"].code, r["reported"], r["expected"]) for r in later.context["rows"]
    ) == [("22918", 0, 1), ("22924", 0, 1)]
    assert later.context["missing"] == 2


# -- imports ----------------------------------------------------------------------------

CSV = "dataelement,period,orgunit,coc,aoc,value\nVISITS,202412,22918,,,30\nBEDS,202412,22918,,,12\n"


def test_an_import_is_checked_first_then_written(world, client):
    client.force_login(world["staff"])

    checked = client.post(
        "/indicators/import/",
        {
            "file": SimpleUploadedFile("values.csv", CSV.encode()),
            "strategy": "CREATE_AND_UPDATE",
            "structure": "current",
        },
    )
    assert checked.context["result"]["importCount"]["imported"] == 2
    assert checked.context["summary"].dry_run is True
    assert not DataValue.objects.filter(period="202412").exists()

    done = client.post(
        "/indicators/import/",
        {
            "token": checked.context["token"],
            "file_format_confirmed": "csv",
            "file_name": "values.csv",
        },
    )

    assert done.context["result"]["status"] == "SUCCESS"
    assert done.context["result"]["importCount"]["imported"] == 2
    assert DataValue.objects.filter(period="202412", source="import").count() == 2


def test_an_import_with_conflicts_names_row_and_column_and_writes_nothing(world, client):
    client.force_login(world["staff"])
    content = (
        "dataelement,period,orgunit,coc,aoc,value\n"
        "VISITS,202413,22918,,,3\n"
        "VISITS,202412,22918,,,x\n"
    )

    response = client.post(
        "/indicators/import/",
        {
            "file": SimpleUploadedFile("bad.csv", content.encode()),
            "strategy": "CREATE_AND_UPDATE",
            "structure": "current",
        },
    )

    result = response.context["result"]
    assert result["status"] == "ERROR"
    assert [(c["row"], c["column"]) for c in result["conflicts"]] == [(2, "period"), (3, "value")]
    assert response.context["token"] == ""
    assert not DataValue.objects.filter(period="202412").exists()


def test_an_agency_cannot_import_another_agencys_indicator(world, client):
    client.force_login(world["staff"])
    content = "dataelement,period,orgunit,coc,aoc,value\nPOP,2024,22918,,,3\n"

    response = client.post(
        "/indicators/import/",
        {
            "file": SimpleUploadedFile("pop.csv", content.encode()),
            "strategy": "CREATE_AND_UPDATE",
            "structure": "current",
        },
    )

    assert response.context["result"]["status"] == "ERROR"
    assert "not the source of “POP”" in response.context["result"]["conflicts"][0]["value"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("values.xlsx", b"not a spreadsheet", "not an XLSX spreadsheet"),
        ("values.json", b"{", ""),
        ("values.csv", b"\xff\xfe\x00", "not UTF-8"),
    ],
)
def test_unreadable_files_get_a_clear_message(world, client, name, content, message):
    client.force_login(world["staff"])

    response = client.post(
        "/indicators/import/",
        {
            "file": SimpleUploadedFile(name, content),
            "strategy": "CREATE_AND_UPDATE",
            "structure": "current",
        },
    )

    assert response.status_code == 200
    assert response.context["error"]
    assert message in response.context["error"]


def test_a_file_of_unknown_format_asks_for_the_format(world, client):
    client.force_login(world["staff"])

    response = client.post(
        "/indicators/import/",
        {
            "file": SimpleUploadedFile("values.txt", b"x"),
            "strategy": "CREATE_AND_UPDATE",
            "structure": "current",
        },
    )

    assert "file_format" in response.context["form"].errors


def test_a_stale_confirmation_asks_to_upload_again(world, client):
    client.force_login(world["staff"])

    response = client.post(
        "/indicators/import/", {"token": "abc123", "file_format_confirmed": "csv"}
    )

    assert response.status_code == 200
    assert "upload it again" in response.context["error"]


def test_the_sidebar_has_the_indicators_section(world, client):
    client.force_login(world["admin"])

    response = client.get("/indicators/catalogue/")

    keys = [item.key for item in response.context["nav_items"]]
    assert [k for k in keys if k.startswith("indicators-")] == [
        "indicators-socio-economic",
        "indicators-health",
        "indicators-education",
        "indicators-tourism",
        "indicators-entry",
        "indicators-import",
        "indicators-data-sets",
        "indicators-catalogue",
    ]


@pytest.mark.parametrize(
    ("language", "title", "label"),
    [("vi", "Y tế", "so với cùng kỳ"), ("en", "Health", "vs last year")],
)
def test_the_dashboard_speaks_vietnamese_first_and_english(world, client, language, title, label):
    client.cookies["django_language"] = language
    client.force_login(world["leader"])

    page = client.get("/indicators/health/?period=202410").content.decode()

    assert f'data-testid="dashboard-title">{title}</h1>' in page
    assert label in page


def test_a_custom_date_range_shows_the_last_collected_period(world, client):
    client.force_login(world["leader"])

    response = client.get("/indicators/health/?from=2024-09-15&to=2024-10-20")

    tile = next(t for t in response.context["tiles"] if t.indicator.code == "VISITS")
    assert (tile.period.id, tile.value) == ("202410", Decimal(150))


def test_the_import_page_links_templates_that_download(world, client):
    client.force_login(world["staff"])

    links = client.get("/indicators/import/").context["templates"]
    response = client.get(links[0]["csv"])

    assert [(link["name"], link["count"]) for link in links] == [("Health", 2)]
    assert response.status_code == 200
    assert response.content.decode().splitlines()[0].startswith("dataelement,period,orgunit")
    assert client.get(links[0]["xlsx"]).status_code == 200


def test_the_wall_refresh_gets_only_the_dashboards_content(world, client):
    client.force_login(world["leader"])

    response = client.get("/indicators/health/?period=202410", headers={"HX-Request": "true"})

    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="dashboard-title"' in page
    assert "<html" not in page
    assert "indicator-dashboard-data" in page
