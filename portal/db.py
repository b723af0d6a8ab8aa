"""Database helpers the apps share."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connections, models


def bulk_update_rows(
    model: type[models.Model], objs: Sequence[models.Model], field_names: Sequence[str], using: str = "default"
) -> int:
    """Write `field_names` of every object in one statement per batch, joined on the primary key.

    Django's `bulk_update` sends one `CASE WHEN pk = ...` per field with a branch per row;
    PostgreSQL then compares every row with every branch (3,633 rows took 41 s). Joining a
    list of values instead is linear: PostgreSQL gets one UPDATE ... FROM unnest(arrays)
    whatever the number of rows; SQLite an UPDATE ... FROM (VALUES ...) per parameter limit.
    """
    if not objs:
        return 0
    connection = connections[using]
    quote = connection.ops.quote_name
    pk = model._meta.pk
    fields = [model._meta.get_field(name) for name in field_names]
    columns = [pk, *fields]
    table = quote(model._meta.db_table)

    def values(obj, field):
        value = field.pre_save(obj, add=False) if field is not pk else obj.pk
        return field.get_db_prep_save(value, connection)

    assignments = ", ".join(f"{quote(f.column)} = v.{quote(f.column)}" for f in fields)
    if connection.vendor == "postgresql":
        arrays = [[values(obj, column) for obj in objs] for column in columns]
        casts = ", ".join(f"%s::{column.cast_db_type(connection)}[]" for column in columns)
        names = ", ".join(quote(column.column) for column in columns)
        # Only quoted identifiers from the model's metadata are formatted in; values are parameters.
        sql = (
            f"UPDATE {table} AS t SET {assignments} FROM unnest({casts}) AS v({names}) "  # noqa: S608
            f"WHERE t.{quote(pk.column)} = v.{quote(pk.column)}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, arrays)
            return cursor.rowcount

    # SQLite: VALUES columns are named column1, column2, ...
    assignments = ", ".join(f"{quote(f.column)} = v.column{i}" for i, f in enumerate(fields, start=2))
    per_batch = max(1, connection.features.max_query_params // len(columns))
    updated = 0
    with connection.cursor() as cursor:
        for start in range(0, len(objs), per_batch):
            batch = objs[start : start + per_batch]
            placeholders = ", ".join("(" + ", ".join(["%s"] * len(columns)) + ")" for _ in batch)
            params = [values(obj, column) for obj in batch for column in columns]
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM (VALUES {placeholders}) AS v "  # noqa: S608
                f"WHERE {table}.{quote(pk.column)} = v.column1",
                params,
            )
            updated += cursor.rowcount
    return updated


def bulk_delete_rows(queryset: models.QuerySet) -> int:
    """DELETE the rows in one statement, without loading them or sending a signal per row.

    `QuerySet.delete()` fetches every object to send pre/post_delete, and the audit trail's
    post_delete then INSERTs one history row per object: a query per row. Callers write the
    audit trail themselves (portal.audit.record_history) and only use this for models
    nothing else points at.
    """
    return queryset._raw_delete(queryset.db)


def refresh_statistics(*models_: type[models.Model], using: str = "default") -> None:
    """Let PostgreSQL's planner see a bulk write at once (one statement).

    Right after a county's or the nation's roster is written, the planner still believes
    the tables are nearly empty and picks nested loops: the county pages took 58 ms a query
    until autovacuum came round, 5 ms after ANALYZE."""
    connection = connections[using]
    if connection.vendor != "postgresql" or not models_:
        return
    tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in models_)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")


_UNREACHABLE = (
    "could not connect",
    "connection refused",
    "connection to server",
    "server closed the connection",
    "terminating connection",
    "the database system is",
    "connection already closed",
    "timeout expired",
    "no connection to the server",
    "unable to open database",
    "could not translate host name",
)


def database_problem(exc: BaseException) -> str | None:
    """What a person should be told when the database cannot be used (None: another error).
    Pages answer it as a 503, commands print it instead of a traceback."""
    from django.db import InterfaceError, OperationalError, ProgrammingError

    text = str(exc).lower()
    if isinstance(exc, InterfaceError) or (
        isinstance(exc, OperationalError) and any(marker in text for marker in _UNREACHABLE)
    ):
        return "無法連線到資料庫：請確認資料庫服務已啟動、DATABASE_URL 設定正確，稍後再試"
    if isinstance(exc, OperationalError | ProgrammingError) and (
        "no such table" in text or ("relation" in text and "does not exist" in text)
    ):
        return "資料庫尚未建立資料表：請先執行 python manage.py migrate"
    return None
