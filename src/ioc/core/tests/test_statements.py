"""Statements built once per shape (core/statements.py) store and read what the ORM does."""

from contextlib import nullcontext
from datetime import UTC, date, datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ioc.accounts.models import ApiKey
from ioc.accounts.services import apikey_create
from ioc.core import statements
from ioc.core.models import Holiday, TimelineEvent
from ioc.reports.choices import ReportStatus
from ioc.reports.models import Report, ReportFigures

pytestmark = pytest.mark.django_db


def _event(object_id: str, **fields) -> TimelineEvent:
    return TimelineEvent(
        content_type=ContentType.objects.get_for_model(Holiday),
        object_id=object_id,
        verb="submitted",
        data={"photos": 2, "source": "app", "nested": {"ý kiến": [1, None]}},
        **fields,
    )


def test_insert_writes_every_row_in_one_statement_and_sets_the_keys():
    events = [_event("7", actor_label="call centre"), _event("8", to_state="new")]

    with CaptureQueriesContext(connection) as queries:
        statements.insert(events)

    assert len(queries) == 1
    assert queries[0]["sql"].startswith('INSERT INTO "core_timelineevent"')
    assert [event.pk for event in events] == list(
        TimelineEvent.objects.order_by("pk").values_list("pk", flat=True)
    )
    assert all(not event._state.adding and event._state.db == "default" for event in events)
    stored = list(
        TimelineEvent.objects.order_by("pk").values(
            "object_id", "actor_label", "to_state", "verb", "data", "reason"
        )
    )
    assert stored == [
        {
            "object_id": "7",
            "actor_label": "call centre",
            "to_state": "",
            "verb": "submitted",
            "data": {"photos": 2, "source": "app", "nested": {"ý kiến": [1, None]}},
            "reason": "",
        },
        {
            "object_id": "8",
            "actor_label": "",
            "to_state": "new",
            "verb": "submitted",
            "data": {"photos": 2, "source": "app", "nested": {"ý kiến": [1, None]}},
            "reason": "",
        },
    ]


def test_insert_splits_rows_past_the_limit_of_parameters_as_bulk_create_does():
    fields = statements._insert_fields(TimelineEvent)
    per_statement = connection.ops.bulk_batch_size(fields, range(100_000))
    if per_statement == 100_000:
        pytest.skip("this database sets Django no limit of parameters a statement")
    events = [_event(str(number)) for number in range(2 * per_statement + 3)]

    with CaptureQueriesContext(connection) as queries:
        statements.insert(events)

    assert len(queries) == 3
    stored = list(TimelineEvent.objects.order_by("pk").values_list("pk", "object_id"))
    assert stored == [(event.pk, str(number)) for number, event in enumerate(events)]


def test_insert_fills_auto_now_add_as_the_orm_does():
    event = _event("9")
    statements.insert([event])

    stored = TimelineEvent.objects.get(pk=event.pk)
    assert event.created_at is not None
    assert stored.created_at == event.created_at
    assert stored.created_at.tzinfo is not None


def test_insert_of_nothing_runs_nothing():
    with CaptureQueriesContext(connection) as queries:
        statements.insert([])
    assert len(queries) == 0


def test_insert_values_stores_rows_without_instances_with_defaults_and_one_time():
    content_type_id = ContentType.objects.get_for_model(Holiday).pk
    data = {"photos": 2, "nested": {"ý kiến": [1, None]}}
    rows = [
        {"content_type_id": content_type_id, "object_id": "7", "verb": "submitted", "data": data},
        {"content_type_id": content_type_id, "object_id": "8", "verb": "routed", "reason": "x"},
    ]
    before = timezone.now()

    with CaptureQueriesContext(connection) as queries:
        keys = statements.insert_values(TimelineEvent, rows)

    assert len(queries) == 1
    stored = list(
        TimelineEvent.objects.order_by("pk").values_list(
            "pk", "object_id", "verb", "reason", "actor_id", "actor_label", "data", "created_at"
        )
    )
    assert [row[:7] for row in stored] == [
        (keys[0], "7", "submitted", "", None, "", data),
        (keys[1], "8", "routed", "x", None, "", {}),  # the fields' defaults
    ]
    assert stored[0][7] == stored[1][7] and before <= stored[0][7] <= timezone.now()


def test_insert_values_refuses_a_field_it_does_not_insert():
    content_type_id = ContentType.objects.get_for_model(Holiday).pk
    row = {"content_type_id": content_type_id, "object_id": "7", "verb": "x"}

    with pytest.raises(ValueError, match=r"TimelineEvent: no field to insert \['colour'\]"):
        statements.insert_values(TimelineEvent, [row, {**row, "colour": "red"}])
    with pytest.raises(ValueError, match=r"no field to insert \['created_at'\]"):
        statements.insert_values(TimelineEvent, [{**row, "created_at": timezone.now()}])
    assert statements.insert_values(TimelineEvent, []) == []
    assert TimelineEvent.objects.count() == 0


def test_unsaved_makes_the_instance_the_models_constructor_makes():
    content_type_id = ContentType.objects.get_for_model(Holiday).pk
    values = {"content_type_id": content_type_id, "object_id": "7", "verb": "submitted"}

    event = statements.unsaved(TimelineEvent, values)

    assert vars(event) | {"_state": None} == vars(TimelineEvent(**values)) | {"_state": None}
    assert (event.pk, event.data, event.reason, event._state.adding) == (None, {}, "", True)
    assert event.data is not TimelineEvent(**values).data  # each default made anew
    statements.insert([event])
    assert TimelineEvent.objects.get(pk=event.pk).verb == "submitted"
    with pytest.raises(ValueError, match=r"TimelineEvent: no field to set \['colour', 'id'\]"):
        statements.unsaved(TimelineEvent, {**values, "colour": "red", "id": 3})


def test_unsaved_calls_the_constructor_of_a_model_with_init_receivers():
    made = []

    def receiver(sender, instance, **kwargs):
        made.append(instance.object_id)

    post_init.connect(receiver, sender=TimelineEvent)
    try:
        statements.unsaved(TimelineEvent, {"object_id": "9", "verb": "x"})
    finally:
        post_init.disconnect(receiver, sender=TimelineEvent)
    assert made == ["9"]


def test_insert_values_splits_rows_past_the_limit_of_parameters():
    per_statement = connection.ops.bulk_batch_size(
        statements._insert_fields(TimelineEvent), range(100_000)
    )
    if per_statement == 100_000:
        pytest.skip("this database sets Django no limit of parameters a statement")
    content_type_id = ContentType.objects.get_for_model(Holiday).pk
    rows = [
        {"content_type_id": content_type_id, "object_id": str(number), "verb": "x"}
        for number in range(per_statement + 2)
    ]

    keys = statements.insert_values(TimelineEvent, rows)

    stored = list(TimelineEvent.objects.order_by("pk").values_list("pk", "object_id"))
    assert stored == [(key, str(number)) for number, key in enumerate(keys)]


def test_add_to_columns_adds_to_the_rows_named_and_counts_them():
    month = date(2026, 11, 1)
    for key, received in (("a", 1), ("b", 5), ("c", 0)):
        ReportFigures.objects.create(key=key, month=month, received=received, overdue=1)

    changed = statements.add_to_columns(
        ReportFigures, {"received": 2, "overdue": -1}, where="key", values=["a", "b", "nobody"]
    )

    assert changed == 2
    assert list(
        ReportFigures.objects.order_by("key").values_list("key", "received", "overdue")
    ) == [
        ("a", 3, 0),
        ("b", 7, 0),
        ("c", 0, 1),
    ]


def test_fetch_by_loads_the_object_as_the_orm_does():
    key, _raw = apikey_create(
        name="call centre",
        scopes=["reports", "open311"],
        expires_at=datetime(2031, 1, 2, 3, 4, 5, tzinfo=UTC),
    )

    fetched = statements.fetch_by(ApiKey, "key_hash", key.key_hash)
    loaded = ApiKey.objects.get(pk=key.pk)

    fields = [field.attname for field in ApiKey._meta.concrete_fields]
    assert {name: getattr(fetched, name) for name in fields} == {
        name: getattr(loaded, name) for name in fields
    }
    assert fetched.scopes == ["open311", "reports"]  # stored sorted
    assert fetched.expires_at == datetime(2031, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert fetched._state.adding is False
    assert statements.fetch_by(ApiKey, "key_hash", "0" * 64) is None


def _as_django_prepares(objs) -> list:
    return [
        field.get_db_prep_save(field.pre_save(obj, True), connection=connection)
        for obj in objs
        for field in statements._insert_fields(type(obj))
    ]


def _comparable(value):
    """PostgreSQL's JSON parameter (psycopg's Jsonb) has no equality: its object has."""
    return getattr(value, "obj", value)


def test_insert_values_are_those_django_prepares(monkeypatch):
    moment = datetime(2026, 11, 26, 7, 30, 15, 123456, tzinfo=UTC)
    monkeypatch.setattr("django.utils.timezone.now", lambda: moment)  # auto_now fields
    reports = [
        Report(
            tracking_code="PA-2611-ABCDEF",
            description="Ổ gà <b>lớn</b>",
            lat=10,  # an int for a float column: converted
            lon=108.1,
            status=ReportStatus.ASSIGNED,  # an enum member, not a plain str
            agency_id=3,
            category_id=None,
            attributes={"depth": 2, "ý kiến": [None]},
            submitted_ip="127.0.0.1",
            received_at=moment,
            due_at=datetime(2026, 11, 30, 17, 0),  # naive: Django's chain makes it aware
            is_anonymous=True,
            rating=4,
            suggestion_confidence=0.25,
        ),
        Report(
            tracking_code="PA-2611-BCDEFG",
            description="",
            lat=10.5,
            lon=108,
            status="new",
            completed_on_time=None,
            received_at=moment,
        ),
    ]
    events = [_event("7", actor_id=5, created_at=None), _event("8", reason="vì")]

    for objs in (reports, events):
        with (
            pytest.warns(RuntimeWarning, match="naive datetime")
            if objs is reports
            else nullcontext()
        ):
            expected = _as_django_prepares(objs)
            found = statements._insert_params(objs, connection)
        assert [_comparable(value) for value in found] == [_comparable(v) for v in expected]
        assert [type(value) for value in found] == [type(value) for value in expected]


def test_only_plain_field_classes_skip_the_fields_preparation():
    plan = {field.name: plain for field, _attname, plain, _type in statements._insert_plan(Report)}

    assert plan["description"] is str
    assert plan["lat"] is float
    assert plan["agency"] is int  # a foreign key to an automatic key
    assert plan["is_anonymous"] is bool
    assert plan["rating"] is int
    assert plan["attributes"] is None  # JSON
    assert plan["received_at"] is datetime  # aware ones go to the back end's adapter
    assert plan["updated_at"] is datetime  # auto_now: set by pre_save, then adapted
    assert plan["submitted_ip"] is None  # GenericIPAddressField cleans addresses


def test_a_value_several_rows_share_is_prepared_once(monkeypatch):
    from django.db.models import JSONField

    prepared = []
    original = JSONField.get_db_prep_save

    def counting(self, value, connection):
        prepared.append(value)
        return original(self, value, connection)

    monkeypatch.setattr(JSONField, "get_db_prep_save", counting)
    shared = {"photos": 1, "ý kiến": "như nhau"}
    events = [_event(str(n)) for n in range(3)]
    for event in events:
        event.data = shared  # the same object in every row
    events.append(_event("9"))  # an equal value in another object: prepared again

    statements.insert(events)

    assert len(prepared) == 2
    assert [event.data for event in TimelineEvent.objects.order_by("pk")] == [shared] * 3 + [
        {"photos": 2, "source": "app", "nested": {"ý kiến": [1, None]}}
    ]
