"""Writing a parsed roster into the database with django-import-export.

`roster_format.parse_roster` has already read and validated every cell; this resource
only persists. It is tuned so that the number of queries does not grow with the rows:
the schools and the year's existing rows are loaded once per file (not one SELECT per
row, django-import-export#921), new and changed rows go out in bulk, and unchanged rows
are skipped.
"""

from __future__ import annotations

from django.utils import timezone
from import_export import fields, resources, widgets
from import_export.instance_loaders import BaseInstanceLoader
from tablib import Dataset

from portal.db import bulk_update_rows
from schools.models import PlanYear, RosterRow, School
from schools.roster_format import ParsedRow

# What a row of the import dataset holds, in the order of RosterRow's fields.
DATASET_HEADERS = (
    "code",
    "level",
    "name",
    "area",
    "classes",
    "max_class_size",
    "teachers",
    "students",
    "req_carts",
    "req_teacher_devices",
    "req_student_devices",
    "reason",
    "entitled_carts",
    "entitled_teacher_devices",
    "entitled_student_devices",
    "complies",
)
COMPARED_FIELDS = DATASET_HEADERS[2:]


def dataset_row(row: ParsedRow) -> tuple:
    ent = row.entitlement
    req = row.requested
    return (
        row.code,
        row.level,
        row.name,
        row.area,
        row.classes,
        row.max_class_size,
        row.teachers,
        row.students,
        req.carts if req else None,
        req.teacher_devices if req else None,
        req.student_devices if req else None,
        row.reason,
        ent.carts,
        ent.teacher_devices,
        ent.student_devices,
        row.complies,
    )


def roster_dataset(rows: list[ParsedRow]) -> Dataset:
    return Dataset(*(dataset_row(row) for row in rows), headers=list(DATASET_HEADERS))


def fingerprint(row: RosterRow) -> tuple:
    return tuple(getattr(row, name) for name in COMPARED_FIELDS)


class _SchoolWidget(widgets.Widget):
    """學校代碼 -> School, from the schools loaded once for the whole file."""

    def __init__(self, schools_by_code: dict[str, School]):
        super().__init__()
        self.schools_by_code = schools_by_code

    def clean(self, value, row=None, **kwargs):
        return self.schools_by_code[value]

    def render(self, value, obj=None, **kwargs):
        return value.code if value else ""


class _PreloadedRowLoader(BaseInstanceLoader):
    """Finds a row's existing RosterRow in the dict the service loaded for the file."""

    def get_instance(self, row):
        return self.resource.existing.get((row["code"], row["level"]))


class _Passthrough(widgets.Widget):
    # Cells were validated and typed by parse_roster; don't re-parse them.
    def clean(self, value, row=None, **kwargs):
        return value


class RosterRowResource(resources.ModelResource):
    school = fields.Field(attribute="school", column_name="code")

    class Meta:
        model = RosterRow
        fields = ("school", *DATASET_HEADERS[1:])
        import_id_fields = ("school", "level")
        instance_loader_class = _PreloadedRowLoader
        use_bulk = True
        batch_size = None
        skip_diff = True
        clean_model_instances = False
        report_skipped = True

    def __init__(self, *, plan_year: PlanYear, schools_by_code: dict[str, School], existing: dict):
        super().__init__()
        self.plan_year = plan_year
        self.existing = existing
        self.fields["school"].widget = _SchoolWidget(schools_by_code)
        for name, field in self.fields.items():
            if name != "school":
                field.widget = _Passthrough()
        self._originals: dict[int, tuple] = {}
        self._now = timezone.now()

    def init_instance(self, row=None):
        return RosterRow(plan_year=self.plan_year)

    def after_init_instance(self, instance, new, row, **kwargs):
        if not new:
            self._originals[instance.pk] = fingerprint(instance)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        return instance.pk is not None and self._originals.get(instance.pk) == fingerprint(instance)

    def before_save_instance(self, instance, row, **kwargs):
        instance.updated_at = self._now
        if instance.pk is not None:
            # Anyone editing this row in a form now holds a stale version and is refused.
            instance.version += 1

    def get_bulk_update_fields(self):
        return [*super().get_bulk_update_fields(), "version", "updated_at"]

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        # django-import-export calls Django's bulk_update, which is quadratic on PostgreSQL.
        if self.update_instances and (using_transactions or not dry_run):
            try:
                bulk_update_rows(RosterRow, self.update_instances, self.get_bulk_update_fields())
            except Exception as exc:
                self.handle_import_error(result, exc, raise_errors)
            finally:
                self.update_instances.clear()
