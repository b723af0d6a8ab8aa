"""The database's side of a backup, per vendor (portal/backup.py is the archive around it):
the row counts and the dump from one snapshot, a scratch copy to verify against, and the
restore in place. PostgreSQL through pg_dump/pg_restore, SQLite through its online backup."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import connection


class BackupError(Exception):
    """The backup, its verification or the restore cannot be done; the message says why."""


def dump_database(dump: Path) -> tuple[dict, dict]:
    """Write the database to `dump`: (the row count of every table, the latest migration of
    each app), both of exactly what the dump holds."""
    if connection.vendor == "postgresql":
        return _dump_postgresql(dump)
    return _dump_sqlite(dump)


def migrated_schema(cursor) -> dict[str, str]:
    """The latest applied migration of each app, read through a DB-API cursor."""
    cursor.execute("SELECT app, name FROM django_migrations")
    schema: dict[str, str] = {}
    for app, name in cursor.fetchall():
        schema[app] = max(name, schema.get(app, ""))
    return dict(sorted(schema.items()))


def _tables(cursor, vendor: str) -> list[str]:
    if vendor == "postgresql":
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    else:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    return [row[0] for row in cursor.fetchall()]


def table_counts(cursor, vendor: str) -> dict[str, int]:
    counts = {}
    for table in _tables(cursor, vendor):
        quoted = '"' + table.replace('"', '""') + '"'
        cursor.execute(f"SELECT count(*) FROM {quoted}")  # noqa: S608 - a table name the database listed
        counts[table] = cursor.fetchone()[0]
    return counts


def _pg_env(database: dict) -> dict:
    env = {**os.environ}
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = str(database["PASSWORD"])
    return env


def _pg_args(database: dict, name: str | None = None) -> list[str]:
    args = ["--dbname", name or database["NAME"]]
    if database.get("HOST"):
        args += ["--host", str(database["HOST"])]
    if database.get("PORT"):
        args += ["--port", str(database["PORT"])]
    if database.get("USER"):
        args += ["--username", str(database["USER"])]
    return args


def _run(command: list[str], env: dict, what: str) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=3600, check=False)  # noqa: S603
    except FileNotFoundError:
        raise BackupError(f"找不到 {command[0]}（請安裝與資料庫同版本的 postgresql-client）") from None
    if done.returncode != 0:
        detail = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"代碼 {done.returncode}"
        raise BackupError(f"{what}失敗：{detail}")


def _dump_postgresql(dump: Path) -> tuple[dict, dict]:
    """Counts and dump from one snapshot, exported by a REPEATABLE READ transaction (on a
    connection of its own, whatever Django's connection is doing) that stays open while
    pg_dump reads it."""
    database = connection.settings_dict
    reader = _pg_connect(database["NAME"])
    try:
        reader.set_session(isolation_level="REPEATABLE READ", readonly=True)
        with reader.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = table_counts(cursor, "postgresql")
            schema = migrated_schema(cursor)
            _run(
                ["pg_dump", "--format=custom", f"--snapshot={snapshot}", "--no-owner", "--file", str(dump),
                 *_pg_args(database)],
                _pg_env(database),
                "pg_dump",
            )  # fmt: skip
    finally:
        reader.close()
    return counts, schema


def _pg_connect(name: str):
    import psycopg2

    database = connection.settings_dict
    params = {
        "dbname": name,
        "user": database.get("USER") or None,
        "password": database.get("PASSWORD") or None,
        "host": database.get("HOST") or None,
        "port": database.get("PORT") or None,
    }
    return psycopg2.connect(**{k: v for k, v in params.items() if v is not None})


def _dump_sqlite(dump: Path) -> tuple[dict, dict]:
    connection.ensure_connection()
    target = sqlite3.connect(dump)
    try:
        connection.connection.backup(target)
        # Counted in the copy: exactly what the archive holds.
        cursor = target.cursor()
        counts = table_counts(cursor, "sqlite")
        schema = migrated_schema(cursor)
    finally:
        target.close()
    return counts, schema


def _regexp(pattern: str, value) -> bool:
    return value is not None and re.search(pattern, str(value)) is not None


@contextmanager
def scratch_database(dump: Path, vendor: str) -> Iterator[tuple[object, str]]:
    """A temporary database holding the dump: (a DB-API connection to it, its DATABASE_URL);
    dropped afterwards. Plain connections, not Django aliases: the check runs `manage.py
    check` in its own process against the URL."""
    database = connection.settings_dict
    if vendor == "postgresql":
        name = f"portal_verify_{uuid.uuid4().hex[:10]}"
        _admin_sql(f'CREATE DATABASE "{name}"')
        try:
            _run(
                ["pg_restore", "--no-owner", "--exit-on-error", str(dump), *_pg_args(database, name)],
                _pg_env(database),
                "還原至暫存資料庫",
            )
            raw = _pg_connect(name)
            try:
                yield raw, _postgres_url(database, name)
            finally:
                raw.close()
        finally:
            _admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        return
    try:
        raw = sqlite3.connect(dump)
        # The schema's CHECK constraints call REGEXP, which Django registers on its connections.
        raw.create_function("REGEXP", 2, _regexp, deterministic=True)
        integrity = raw.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"備份中的 SQLite 資料庫無法開啟（{exc}）") from None
    if integrity != "ok":
        raw.close()
        raise BackupError(f"備份中的 SQLite 資料庫損壞：{integrity}")
    try:
        yield raw, f"sqlite:///{dump}"
    finally:
        raw.close()


def _postgres_url(database: dict, name: str) -> str:
    from urllib.parse import quote

    user = quote(str(database.get("USER") or ""), safe="")
    password = quote(str(database.get("PASSWORD") or ""), safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = database.get("HOST") or "localhost"
    port = f":{database['PORT']}" if database.get("PORT") else ""
    return f"postgres://{credentials}{host}{port}/{name}"


def _admin_sql(sql: str) -> None:
    """CREATE/DROP DATABASE: outside a transaction, on the server's maintenance database."""
    admin = _pg_connect("postgres")
    try:
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(sql)
    finally:
        admin.close()


def restore_database(dump: Path) -> None:
    if connection.vendor == "postgresql":
        database = connection.settings_dict
        connection.close()
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--exit-on-error",
                str(dump),
                *_pg_args(database),
            ],
            _pg_env(database),
            "還原資料庫",
        )
        return
    connection.ensure_connection()
    source = sqlite3.connect(dump)
    try:
        source.backup(connection.connection)
    finally:
        source.close()
