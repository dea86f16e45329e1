import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from ioc.geo.models import AdminUnit

pytestmark = pytest.mark.django_db


def test_geo_load_loads_the_folder_of_the_settings_and_prints_the_counts():
    # given
    out = StringIO()

    # when
    call_command("geo_load", stdout=out)

    # then
    lines = out.getvalue().splitlines()
    assert lines[2] == "Before 1 July 2025 · Commune: 121 created, 0 updated, 0 unchanged"
    assert lines[4] == "Since 1 July 2025 · Commune: 45 created, 0 updated, 0 unchanged"
    assert lines[5] == "Successions: 122 created, 0 updated, 0 unchanged, 0 removed"
    assert lines[6].startswith("Loaded ")
    assert AdminUnit.objects.count() == 178


def test_geo_load_twice_says_no_change(area_copy):
    # given
    call_command("geo_load", "--dir", str(area_copy), stdout=StringIO())
    out = StringIO()

    # when
    call_command("geo_load", "--dir", str(area_copy), stdout=out)

    # then
    assert out.getvalue().splitlines()[-1] == f"{area_copy.resolve()}: no change."


def test_geo_load_of_a_bad_folder_is_a_command_error(area_copy):
    # given
    manifest = json.loads((area_copy / "manifest.json").read_text(encoding="utf-8"))
    del manifest["layers"]["current_communes"]
    (area_copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")

    # when
    with pytest.raises(CommandError) as error:
        call_command("geo_load", "--dir", str(area_copy), stdout=StringIO())

    # then
    assert str(error.value) == 'manifest.json: "layers.current_communes" is missing.'
    assert AdminUnit.objects.count() == 0
