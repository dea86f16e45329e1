"""SQL statements built once per shape, for the hot paths where Django's building of a
statement costs more than running it (the intake of reports: reports/intake.py).

Django builds the SQL of every queryset anew: ≈ 0.2 to 0.3 ms of Python for a one-row INSERT
or a SELECT by key, which SQLite runs in ≈ 0.02 ms. These functions write the same SQL
from the model's fields (names quoted by the database's backend, values prepared and read
back by each field as Django does) and keep its text per database, table and shape.
They handle plain values only: no expressions, no related objects left unsaved. Every
name in their SQL comes from the model's fields, every value is a parameter.
"""

import functools
from collections.abc import Container, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from django.db import connections, models
from django.db.models import Field, Model
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init
from django.utils import timezone


def insert(objs: Sequence[Model], *, using: str = "default") -> None:
    """INSERT unsaved objects of one model and set their keys, like `bulk_create` with
    plain values (auto_now_add and defaults included): one statement, or as many as the
    database's limit of parameters a statement asks for (as `bulk_create` splits)."""
    if not objs:
        return
    model = type(objs[0])
    if model._meta.auto_field is None:
        raise ValueError(f"{model.__name__} has no automatic key for insert() to set")
    connection = connections[using]
    for chunk in _per_statement(objs, using, model):
        _insert_rows(chunk, model, connection, using)


def insert_values(
    model: type[Model], rows: Sequence[Mapping[str, Any]], *, using: str = "default"
) -> list[int]:
    """INSERT rows of `model` given as {attribute name: value}, with no model instance
    (the write of a report's notices and timeline events: making the instances cost more
    than their INSERT); returns their keys, in order. A field left out takes its default,
    and an auto_now(_add) datetime one timezone.now() for every row. Plain values only,
    as `insert`."""
    if not rows:
        return []
    if model._meta.auto_field is None:
        raise ValueError(f"{model.__name__} has no automatic key for insert_values() to set")
    plan = _value_plan(model)
    accepted = {attname for _field, attname, _plain, _integer, auto in plan if not auto}
    for row in rows:
        _refuse_unknown(model, row, accepted, "no field to insert {unknown} into")
    now = timezone.now()  # as pre_save sets it, for every row
    missing = _missing_values(model)
    values = [
        [
            now if auto else row[attname] if attname in row else missing[attname]()
            for _field, attname, _plain, _integer, auto in plan
        ]
        for row in rows
    ]
    connection = connections[using]
    keys: list[int] = []
    for chunk in _per_statement(values, using, model):
        params = _prepared(model, chunk, connection)
        keys += _execute_insert(model, connection, using, len(chunk), params)
    return keys


def unsaved[M: Model](model: type[M], values: Mapping[str, Any]) -> M:
    """An unsaved instance of `model` with these attribute values ({attribute name: value})
    and the defaults of the fields left out, as `model(**values)` makes it but without
    Model.__init__ (≈ 30 µs for a report's 40 fields: the intake makes one a report). A
    model with receivers of pre_init or post_init (an ImageField's dimensions) goes through
    __init__."""
    missing = _missing_values(model)
    _refuse_unknown(model, values, missing.keys(), "no field to set {unknown}")
    if pre_init.has_listeners(model) or post_init.has_listeners(model):
        return model(**values)
    attributes = {
        attname: default() for attname, default in missing.items() if attname not in values
    }
    attributes.update(values)
    attributes[model._meta.pk.attname] = None
    return rebuilt(model, attributes)


def rebuilt[M: Model](model: type[M], attributes: dict[str, Any]) -> M:
    """The instance with these attributes, as Django unpickles one (no __init__)."""
    instance = model.__new__(model)
    instance.__dict__.update(attributes)
    instance._state = ModelState()
    return instance


def _refuse_unknown(
    model: type[Model], given: Iterable[str], accepted: Container[str], message: str
) -> None:
    """ValueError naming the names in `given` that `accepted` lacks, if any."""
    unknown = [name for name in given if name not in accepted]
    if unknown:
        raise ValueError(f"{model.__name__}: " + message.format(unknown=sorted(unknown)))


def _per_statement[T](items: Sequence[T], using: str, model: type[Model]) -> Iterator[Sequence[T]]:
    """The items in runs of as many rows as one INSERT of `model` may carry here."""
    size = _rows_per_statement(using, model) or len(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _insert_rows(objs: Sequence[Model], model: type[Model], connection, using: str) -> None:
    keys = _execute_insert(model, connection, using, len(objs), _insert_params(objs, connection))
    for obj, key in zip(objs, keys, strict=True):
        obj.pk = key
        obj._state.adding = False
        obj._state.db = using


def _execute_insert(model: type[Model], connection, using: str, rows: int, params) -> list[int]:
    returning = connection.vendor != "sqlite"
    with connection.cursor() as cursor:
        cursor.execute(_insert_sql(using, model, rows, returning), params)
        if returning:
            return [row[0] for row in cursor.fetchall()]
        # SQLite numbers the rows of one INSERT one after another (its automatic keys
        # exceed every key the table ever had); reading them back with RETURNING would
        # cost a step, and a hand-over of the GIL, per row.
        return list(range(cursor.lastrowid - rows + 1, cursor.lastrowid + 1))


def _insert_params(objs: Sequence[Model], connection) -> list[Any]:
    """The values of the INSERT, as each field's get_db_prep_save gives them."""
    plan = _insert_plan(type(objs[0]))
    # pre_save reads the attribute of a plain class; it sets auto_now datetimes.
    rows = [
        [
            getattr(obj, attname) if plain in _READ_AS_IS else field.pre_save(obj, True)
            for field, attname, plain, _integer in plan
        ]
        for obj in objs
    ]
    return _prepared(type(objs[0]), rows, connection)


def _prepared(model: type[Model], rows: Sequence[list[Any]], connection) -> list[Any]:
    """The parameters of rows of values in the order of `_insert_plan`, each value as its
    field's get_db_prep_save gives it."""
    ops = connection.ops
    params: list[Any] = []
    # A value that several rows share (the same object: the title of a notification sent
    # to a whole agency) is prepared once. The dict holds each object, so that its id is
    # not reused by another while the rows are prepared. Keyed by the field's id: a Field
    # hashes in Python.
    shared: dict[tuple[int, int], tuple[Any, Any]] = {}
    plan = _insert_plan(model)
    for row in rows:
        for (field, _attname, plain, integer_type), value in zip(plan, row, strict=True):
            if plain is not None and (value is None or type(value) is plain):
                if plain is not datetime:
                    if integer_type is not None:
                        value = ops.adapt_integerfield_value(value, integer_type)
                    params.append(value)
                    continue
                # None (the only other value here), or an aware datetime
                if not isinstance(value, datetime) or value.tzinfo is not None:
                    params.append(ops.adapt_datetimefield_value(value))
                    continue
            if value is None or isinstance(value, int | str):
                params.append(field.get_db_prep_save(value, connection=connection))
                continue
            key = (id(field), id(value))
            if key not in shared:
                shared[key] = (value, field.get_db_prep_save(value, connection=connection))
            params.append(shared[key][1])
    return params


def add_to_columns(
    model: type[Model],
    increments: dict[str, int],
    *,
    where: str,
    values: Sequence[Any],
    using: str = "default",
) -> int:
    """Add `increments` ({field: n}) to the rows whose field `where` is one of `values`
    (one UPDATE); returns the number of rows changed."""
    columns = tuple(increments)
    sql = _add_sql(using, model, columns, where, len(values))
    with connections[using].cursor() as cursor:
        cursor.execute(sql, [*(increments[column] for column in columns), *values])
        return cursor.rowcount


def fetch_by(model: type[Model], field: str, value: Any, *, using: str = "default"):
    """The object whose (unique) field equals `value`, loaded as Django loads it, or None."""
    connection = connections[using]
    sql, converters = _fetch_plan(using, model, field)
    with connection.cursor() as cursor:
        cursor.execute(sql, [value])
        row = cursor.fetchone()
    if row is None:
        return None
    values = list(row)
    for index, expression, functions in converters:
        for function in functions:
            values[index] = function(values[index], expression, connection)
    return model.from_db(using, _attnames(model), values)


@functools.cache
def _rows_per_statement(using: str, model: type[Model]) -> int | None:
    """The most rows of `model` one INSERT may carry on this database (its limit of
    parameters, as Django's bulk_create counts it); None without a limit."""
    connection = connections[using]
    if connection.features.max_query_params is None:
        return None
    return max(connection.ops.bulk_batch_size(_insert_fields(model), []), 1)


@functools.cache
def _insert_fields(model: type[Model]) -> tuple[Field, ...]:
    return tuple(
        field for field in model._meta.concrete_fields if field is not model._meta.auto_field
    )


# Field classes whose pre_save reads the attribute and whose get_db_prep_save gives a
# value of this exact type (or None) unchanged, or through one adapter of the back end
# (integers, aware datetimes), on SQLite and PostgreSQL: such values skip Django's chain
# of calls (1 to 5 µs a field; a report has 40). Exact classes only: a subclass may
# convert its values.
_PLAIN_TYPES: dict[type[Field], type] = {
    models.CharField: str,
    models.TextField: str,
    models.EmailField: str,
    models.URLField: str,
    models.SlugField: str,
    models.IntegerField: int,
    models.SmallIntegerField: int,
    models.BigIntegerField: int,
    models.PositiveIntegerField: int,
    models.PositiveSmallIntegerField: int,
    models.FloatField: float,
    models.BooleanField: bool,
    models.DateTimeField: datetime,
}
_PLAIN_KEYS = (models.AutoField, models.BigAutoField)
_READ_AS_IS = frozenset({str, int, float, bool})


@functools.cache
def _insert_plan(model: type[Model]) -> tuple[tuple[Field, str, type | None, str | None], ...]:
    """Each field to insert, its attribute, the type whose values skip the field's
    get_db_prep_save (None: none do), and for integers the internal type that the back
    end's adapter is given."""
    plan = []
    for field in _insert_fields(model):
        plain = _PLAIN_TYPES.get(type(field))
        integer_field: Field | None = field if plain is int else None
        if type(field) is models.ForeignKey and type(field.target_field) in _PLAIN_KEYS:
            # The key of the related row: an automatic key is not adapted.
            plain, integer_field = int, None
        integer_type = integer_field.get_internal_type() if integer_field else None
        plan.append((field, field.attname, plain, integer_type))
    return tuple(plan)


@functools.cache
def _value_plan(model: type[Model]) -> tuple[tuple[Field, str, type | None, str | None, bool], ...]:
    """`_insert_plan`, each field also saying whether it is an auto_now(_add) datetime
    (set on INSERT: insert_values takes no value for it)."""
    return tuple(
        (*step, any(getattr(step[0], flag, False) for flag in ("auto_now", "auto_now_add")))
        for step in _insert_plan(model)
    )


@functools.cache
def _missing_values(model: type[Model]) -> dict[str, Any]:
    """{attribute name: a function giving the value of a field left out}: its default."""
    return {field.attname: field.get_default for field in _insert_fields(model)}


@functools.cache
def _attnames(model: type[Model]) -> list[str]:
    return [field.attname for field in model._meta.concrete_fields]


def _column(using: str, model: type[Model], name: str) -> str:
    """The quoted column of a field of the model; a reverse relation has none."""
    field = model._meta.get_field(name)
    if not isinstance(field, Field) or not field.column:
        raise ValueError(f"{model.__name__}.{name} is not a column")
    return connections[using].ops.quote_name(field.column)


def _quoted_table(using: str, model: type[Model]) -> str:
    return connections[using].ops.quote_name(str(model._meta.db_table))


@functools.lru_cache(maxsize=256)
def _insert_sql(using: str, model: type[Model], rows: int, returning: bool) -> str:
    fields = _insert_fields(model)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = (
        f"INSERT INTO {_quoted_table(using, model)} "  # noqa: S608 (names from the model)
        f"({', '.join(_column(using, model, field.name) for field in fields)}) "
        f"VALUES {', '.join([row] * rows)}"
    )
    return f"{sql} RETURNING {_column(using, model, model._meta.pk.name)}" if returning else sql


@functools.lru_cache(maxsize=256)
def _add_sql(using: str, model: type[Model], names: tuple[str, ...], where: str, count: int) -> str:
    columns = [_column(using, model, name) for name in names]
    assignments = ", ".join(f"{column} = {column} + %s" for column in columns)
    return (
        f"UPDATE {_quoted_table(using, model)} SET {assignments} "  # noqa: S608 (as above)
        f"WHERE {_column(using, model, where)} IN ({', '.join(['%s'] * count)})"
    )


@functools.lru_cache(maxsize=64)
def _fetch_plan(using: str, model: type[Model], where: str) -> tuple[str, list]:
    connection = connections[using]
    fields = model._meta.concrete_fields
    sql = (
        f"SELECT {', '.join(_column(using, model, field.name) for field in fields)} "  # noqa: S608
        f"FROM {_quoted_table(using, model)} WHERE {_column(using, model, where)} = %s"
    )
    converters = []
    for index, field in enumerate(fields):
        expression = field.get_col(str(model._meta.db_table))
        functions = connection.ops.get_db_converters(expression) + expression.get_db_converters(
            connection
        )
        if functions:
            converters.append((index, expression, functions))
    return sql, converters
