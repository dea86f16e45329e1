"""Writes of the geo app: loading a deployment's area (both structures) from its files."""

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from ioc.core.caches import forget_now_and_at_commit
from ioc.core.services import timeline_record
from ioc.geo.choices import Level, Structure
from ioc.geo.files import AreaData, UnitRecord, read_area
from ioc.geo.models import AdminUnit, UnitSuccession
from ioc.geo.selectors import geo_cache_clear

# Parents before children, legacy before current.
LOAD_ORDER = [
    (structure, level)
    for structure in (Structure.LEGACY, Structure.CURRENT)
    for level in (Level.PROVINCE, Level.DISTRICT, Level.COMMUNE)
]
# The fields the files decide; `population` only where the layer maps one.
UNIT_FIELDS = (
    "level",
    "name",
    "name_en",
    "division_type",
    "parent_id",
    "valid_from",
    "valid_to",
    "boundary",
    "centroid_lat",
    "centroid_lon",
    "area_km2",
)


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0  # successions only: links the files no longer list

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deleted)


@dataclass
class LoadResult:
    """What `geo_load_area` did, per (structure, level) and for the successions."""

    directory: Path
    units: dict[tuple[str, str], Counts] = field(default_factory=lambda: defaultdict(Counts))
    successions: Counts = field(default_factory=Counts)

    def counts(self, structure: str, level: str) -> Counts:
        return self.units[(structure, level)]

    @property
    def changed(self) -> bool:
        return self.successions.changed or any(c.changed for c in self.units.values())

    @property
    def created(self) -> int:
        return sum(c.created for c in self.units.values())

    @property
    def updated(self) -> int:
        return sum(c.updated for c in self.units.values())

    @property
    def unchanged(self) -> int:
        return sum(c.unchanged for c in self.units.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "directory": str(self.directory),
            "units": {
                f"{structure}.{level}": vars(counts)
                for (structure, level), counts in self.units.items()
            },
            "successions": vars(self.successions),
        }

    def lines(self) -> list[str]:
        """A human summary, one line per layer (used by the `geo_load` command)."""
        template = _("%(layer)s: %(created)d created, %(updated)d updated, %(unchanged)d unchanged")
        lines = [
            template
            % {
                "layer": f"{Structure.label(structure)} · {Level.label(level)}",
                **vars(counts),
            }
            for (structure, level), counts in self.units.items()
        ]
        lines.append(
            _(
                "%(layer)s: %(created)d created, %(updated)d updated, %(unchanged)d unchanged, "
                "%(deleted)d removed"
            )
            % {"layer": _("Successions"), **vars(self.successions)}
        )
        return lines


def geo_load_area(*, directory: Path, actor: Any = None) -> LoadResult:
    """Create or update every unit, boundary and succession of the area folder `directory`.

    One transaction; idempotent (a second run with the same files changes nothing). The files
    are validated first: a malformed file raises `files.AreaDataError` and writes nothing.
    Units that are in the database but no longer in the files are left alone.
    """
    data = read_area(directory)
    result = LoadResult(directory=data.manifest.directory)
    with transaction.atomic():
        ids: dict[tuple[str, str], int] = {}
        for structure, level in LOAD_ORDER:
            records = [u for u in data.units if (u.structure, u.level) == (structure, level)]
            if records:
                _load_units(structure, level, records, ids, result.counts(structure, level))
        _load_successions(data, ids, result.successions)
        if result.changed:
            province_code = data.manifest.current_province_code
            target = AdminUnit.objects.get(pk=ids[(Structure.CURRENT, province_code or "")])
            timeline_record(
                target=target,
                actor=actor,
                actor_label="" if actor else "geo_load",
                verb="geo_loaded",
                data=result.as_dict(),
            )
            # This process forgets its caches now; other processes notice the new stamp.
            forget_now_and_at_commit(geo_cache_clear)
    return result


def _load_units(
    structure: str,
    level: str,
    records: list[UnitRecord],
    ids: dict[tuple[str, str], int],
    counts: Counts,
) -> None:
    existing = {
        unit.code: unit
        for unit in AdminUnit.objects.filter(
            structure=structure, code__in=[record.code for record in records]
        )
    }
    to_create: list[AdminUnit] = []
    for record in records:
        wanted = _wanted_values(record, ids)
        unit = existing.get(record.code)
        if unit is None:
            to_create.append(AdminUnit(structure=structure, code=record.code, **wanted))
            continue
        changed = [name for name, value in wanted.items() if getattr(unit, name) != value]
        if changed:
            for name in changed:
                setattr(unit, name, wanted[name])
            unit.save(update_fields=[*changed, "updated_at"])
            counts.updated += 1
        else:
            counts.unchanged += 1
        ids[(structure, record.code)] = unit.pk
    for unit in AdminUnit.objects.bulk_create(to_create):
        ids[(structure, unit.code)] = unit.pk
    counts.created += len(to_create)


def _wanted_values(record: UnitRecord, ids: dict[tuple[str, str], int]) -> dict[str, Any]:
    values = {name: getattr(record, name) for name in UNIT_FIELDS if name != "parent_id"}
    values["level"] = record.level
    values["parent_id"] = (
        ids[(record.structure, record.parent_code)] if record.parent_code else None
    )
    if record.has_population:
        values["population"] = record.population
    return values


def _load_successions(data: AreaData, ids: dict[tuple[str, str], int], counts: Counts) -> None:
    effective_on = data.manifest.reorganised_on
    wanted = {
        (
            ids[(Structure.LEGACY, link.predecessor_code)],
            ids[(Structure.CURRENT, link.successor_code)],
        ): link.partial
        for link in data.successions
    }
    predecessor_ids = {
        ids[(Structure.LEGACY, u.code)]
        for u in data.units
        if (u.structure, u.level) == (Structure.LEGACY, Level.COMMUNE)
    }
    existing = {
        (row.predecessor_id, row.successor_id): row
        for row in UnitSuccession.objects.filter(predecessor_id__in=predecessor_ids)
    }
    obsolete = [row.pk for key, row in existing.items() if key not in wanted]
    if obsolete:
        counts.deleted, _details = UnitSuccession.objects.filter(pk__in=obsolete).delete()
    to_create = []
    for (predecessor_id, successor_id), partial in wanted.items():
        row = existing.get((predecessor_id, successor_id))
        if row is None:
            to_create.append(
                UnitSuccession(
                    predecessor_id=predecessor_id,
                    successor_id=successor_id,
                    effective_on=effective_on,
                    partial=partial,
                )
            )
        elif row.partial != partial or row.effective_on != effective_on:
            row.partial, row.effective_on = partial, effective_on
            row.save(update_fields=["partial", "effective_on"])
            counts.updated += 1
        else:
            counts.unchanged += 1
    UnitSuccession.objects.bulk_create(to_create)
    counts.created += len(to_create)
