"""Backups and their verification (the seed's 「落實備份及檢核作業」).

One archive (a tar file) holds the database (`pg_dump -Fc` on PostgreSQL, SQLite's online
backup on SQLite), every uploaded and generated file under MEDIA_ROOT, and a manifest: when,
the schema (latest migration of each app), the row count of every table and the SHA-256 and
size of every file. The manifest is signed with the SECRET_KEY (django.core.signing), so an
archive whose files or manifest were changed, or that was cut short, fails verification.

On PostgreSQL the row counts and the dump come from one exported snapshot: what the manifest
counts is exactly what the dump holds, however busy the portal is.

The archives are the record: the status page and /healthz read BACKUP_DIR, where each
verification leaves `<archive>.verify.json` beside its archive (a restore of the database
cannot rewrite the history of the backups).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core import signing
from django.db import connection, connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from portal.backup_database import (
    BackupError,
    dump_database,
    migrated_schema,
    restore_database,
    scratch_database,
    table_counts,
)

MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
MEDIA = "media/"
FORMAT = 1
SALT = "portal.backup.manifest"
CHUNK = 1 << 20


@dataclass
class Verification:
    archive: Path
    ok: bool
    summary: str
    problems: list[str] = field(default_factory=list)


# --- Where things are -----------------------------------------------------------------------


def backup_dir() -> Path:
    path = Path(settings.BACKUP_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def archives() -> list[Path]:
    """Every archive in BACKUP_DIR, newest first."""
    return sorted(backup_dir().glob("portal-backup-*.tar"), key=lambda p: p.name, reverse=True)


def verification_of(archive: Path) -> dict | None:
    sidecar = archive.with_suffix(".verify.json")
    if not sidecar.exists():
        return None
    try:
        return json.loads(sidecar.read_text())
    except (OSError, ValueError):
        return None


def _sha256(stream) -> str:
    digest = hashlib.sha256()
    for block in iter(lambda: stream.read(CHUNK), b""):
        digest.update(block)
    return digest.hexdigest()


def _media_files() -> Iterator[tuple[str, Path]]:
    root = Path(settings.MEDIA_ROOT)
    if not root.exists():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            yield path.relative_to(root).as_posix(), path


def schema_versions(using: str = "default") -> dict[str, str]:
    """The latest applied migration of each app, as the database records it."""
    applied = MigrationRecorder(connections[using]).applied_migrations()
    latest: dict[str, str] = {}
    for app, name in applied:
        if name > latest.get(app, ""):
            latest[app] = name
    return dict(sorted(latest.items()))


def code_schema_versions() -> dict[str, str]:
    """The latest migration of each app in this code (what a restored database must match)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    latest: dict[str, str] = {}
    for app, name in loader.graph.leaf_nodes():
        latest[app] = max(name, latest.get(app, ""))
    return dict(sorted(latest.items()))


# --- Backup -----------------------------------------------------------------------------------


def backup_create(*, out: Path | None = None, label: str = "") -> Path:
    """Write one archive; its path. The manifest is written last, the archive renamed into
    place only when complete: a backup cut short never looks like one."""
    folder = Path(out) if out else backup_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    name = f"portal-backup-{stamp}{'-' + label if label else ''}.tar"
    target = folder / name
    partial = folder / f".{name}.{uuid.uuid4().hex[:8]}.partial"
    vendor = connection.vendor
    with tempfile.TemporaryDirectory(prefix="portal-backup-") as work:
        dump = Path(work) / ("database.dump" if vendor == "postgresql" else "database.sqlite3")
        counts, schema = dump_database(dump)
        with dump.open("rb") as stream:
            database_sha = _sha256(stream)
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "label": label,
            "database": {"vendor": vendor, "file": dump.name, "sha256": database_sha, "size": dump.stat().st_size},
            "schema": schema,
            "tables": counts,
            "files": {},
        }
        with tarfile.open(partial, "w") as archive:
            archive.add(dump, arcname=dump.name)
            for relative, path in _media_files():
                with path.open("rb") as stream:
                    digest = _sha256(stream)
                size = path.stat().st_size
                archive.add(path, arcname=MEDIA + relative)
                manifest["files"][relative] = {"sha256": digest, "size": size}
            body = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
            _add_bytes(archive, MANIFEST, body)
            _add_bytes(archive, SIGNATURE, _sign(body).encode())
    partial.rename(target)
    return target


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(timezone.now().timestamp())
    archive.addfile(info, io.BytesIO(data))


def _sign(body: bytes) -> str:
    return signing.Signer(salt=SALT).sign(hashlib.sha256(body).hexdigest())


def backups_prune(*, daily: int | None = None, weekly: int | None = None) -> list[Path]:
    """Keep the newest archive of each of the last `daily` days and of the last `weekly` ISO
    weeks; delete the rest (with their verification notes). The deleted paths."""
    daily = settings.BACKUP_KEEP_DAILY if daily is None else daily
    weekly = settings.BACKUP_KEEP_WEEKLY if weekly is None else weekly
    keep, days, weeks = set(), [], []
    for archive in archives():
        when = _archive_time(archive)
        if when is None:
            keep.add(archive)  # not ours to judge
            continue
        day, week = when.date(), when.isocalendar()[:2]
        if day not in days and len(days) < daily:
            days.append(day)
            keep.add(archive)
        if week not in weeks and len(weeks) < weekly:
            weeks.append(week)
            keep.add(archive)
    deleted = []
    for archive in archives():
        if archive not in keep:
            archive.unlink()
            archive.with_suffix(".verify.json").unlink(missing_ok=True)
            deleted.append(archive)
    return deleted


def _archive_time(archive: Path) -> datetime | None:
    try:
        return datetime.strptime(archive.name[len("portal-backup-") :][:15], "%Y%m%d-%H%M%S")
    except ValueError:
        return None


# --- Reading an archive -----------------------------------------------------------------------


@contextmanager
def _opened(archive: Path) -> Iterator[tuple[tarfile.TarFile, dict]]:
    """The archive and its manifest, once the signature holds."""
    if not Path(archive).is_file():
        raise BackupError(f"找不到備份檔：{archive}")
    try:
        tar = tarfile.open(archive, "r")  # noqa: SIM115 - closed in the finally below, after the caller's block
    except (tarfile.TarError, OSError) as exc:
        raise BackupError(f"備份檔已損壞或不完整，無法開啟（{exc}）") from None
    try:
        try:
            body = tar.extractfile(MANIFEST).read()
            signature = tar.extractfile(SIGNATURE).read().decode()
        except (KeyError, AttributeError, tarfile.TarError, OSError, EOFError):
            raise BackupError("備份檔不完整：缺少清單（manifest）或其簽章") from None
        try:
            expected = signing.Signer(salt=SALT).unsign(signature)
        except signing.BadSignature:
            raise BackupError("備份清單的簽章不符：檔案可能遭竄改，或由另一套系統（不同的 SECRET_KEY）產生") from None
        if expected != hashlib.sha256(body).hexdigest():
            raise BackupError("備份清單與其簽章不符：檔案可能遭竄改")
        manifest = json.loads(body)
        if manifest.get("format") != FORMAT:
            raise BackupError(f"不認得的備份格式（{manifest.get('format')}）")
        yield tar, manifest
    finally:
        tar.close()


def _check_members(tar: tarfile.TarFile, manifest: dict) -> list[str]:
    """Every file's checksum against the manifest; nothing missing, nothing added."""
    problems = []
    expected = {manifest["database"]["file"]: manifest["database"]["sha256"]}
    expected |= {MEDIA + name: item["sha256"] for name, item in manifest["files"].items()}
    seen = set()
    try:
        for member in tar:
            if member.name in (MANIFEST, SIGNATURE):
                continue
            if not member.isfile() or member.name not in expected:
                problems.append(f"備份檔含有清單以外的項目：{member.name}")
                continue
            seen.add(member.name)
            if _sha256(tar.extractfile(member)) != expected[member.name]:
                problems.append(f"檔案內容與清單的雜湊值不符：{member.name}")
    except (tarfile.TarError, OSError, EOFError) as exc:
        problems.append(f"備份檔不完整（讀到一半中斷：{exc}）")
    problems += [f"清單列出、備份檔卻沒有的檔案：{name}" for name in sorted(set(expected) - seen)]
    return problems


def backup_verify(archive: Path) -> Verification:
    """Restore into a scratch database and folder, compare with the manifest, run the system
    checks against the scratch database. Never touches the live data."""
    archive = Path(archive)
    try:
        with _opened(archive) as (tar, manifest), tempfile.TemporaryDirectory(prefix="portal-verify-") as work:
            problems = _check_members(tar, manifest)
            if problems:
                return _record(Verification(archive, False, problems[0], problems))
            tar.extractall(work, filter="data")
            problems += _check_extracted(Path(work), manifest)
            problems += _check_database(Path(work) / manifest["database"]["file"], manifest)
    except BackupError as exc:
        return _record(Verification(archive, False, str(exc), [str(exc)]))
    if problems:
        return _record(Verification(archive, False, problems[0], problems))
    rows = sum(manifest["tables"].values())
    summary = (
        f"備份 {archive.name} 驗證通過：{len(manifest['tables'])} 個資料表、{rows:,} 列與清單相同，"
        f"{len(manifest['files'])} 個檔案雜湊一致，系統檢查通過"
    )
    return _record(Verification(archive, True, summary))


def _record(result: Verification) -> Verification:
    if result.archive.exists():
        note = {"verified_at": timezone.now().isoformat(), "ok": result.ok, "summary": result.summary}
        result.archive.with_suffix(".verify.json").write_text(json.dumps(note, ensure_ascii=False))
    return result


def _check_extracted(folder: Path, manifest: dict) -> list[str]:
    problems = []
    for name, item in manifest["files"].items():
        path = folder / "media" / name
        if not path.is_file():
            problems.append(f"還原後找不到檔案：{name}")
            continue
        with path.open("rb") as stream:
            if _sha256(stream) != item["sha256"]:
                problems.append(f"還原後的檔案與清單不符：{name}")
    return problems


def _check_database(dump: Path, manifest: dict) -> list[str]:
    vendor = manifest["database"]["vendor"]
    if vendor != connection.vendor:
        return [f"備份的資料庫是 {vendor}，目前系統使用 {connection.vendor}，無法在此驗證"]
    with scratch_database(dump, vendor) as (raw, url):
        cursor = raw.cursor()
        counts = table_counts(cursor, vendor)
        restored_schema = migrated_schema(cursor)
        cursor.close()
        problems = [
            f"資料表 {table}：清單 {expected:,} 列，還原後 {counts.get(table, 0):,} 列"
            for table, expected in manifest["tables"].items()
            if counts.get(table) != expected
        ]
        problems += [f"還原後多出清單沒有的資料表：{table}" for table in sorted(set(counts) - set(manifest["tables"]))]
        if restored_schema != manifest["schema"]:
            problems.append("還原後的資料庫結構版本與清單不同")
        problems += _system_checks(url)
    return problems


def _system_checks(database_url: str) -> list[str]:
    """`manage.py check` against the restored database, as its own process (the portal's
    settings, only DATABASE_URL pointing at the scratch copy)."""
    manage = Path(settings.BASE_DIR) / "manage.py"
    env = {**os.environ, "DATABASE_URL": database_url}
    done = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, str(manage), "check", "--database", "default", "--fail-level", "ERROR"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode == 0:
        return []
    detail = (done.stderr or done.stdout).strip().splitlines()
    return [f"系統檢查未通過：{detail[-1] if detail else done.returncode}"]


# --- Restore ----------------------------------------------------------------------------------


def backup_restore(archive: Path) -> tuple[Path, str]:
    """Put the archive's database and files in place of the current ones, after checking the
    archive and taking a backup of the current state. (the pre-restore archive, a summary)"""
    archive = Path(archive)
    with _opened(archive) as (tar, manifest):
        problems = _check_members(tar, manifest)
        if problems:
            raise BackupError(f"備份檔檢查未通過，不還原：{problems[0]}")
        if manifest["database"]["vendor"] != connection.vendor:
            raise BackupError(f"備份的資料庫是 {manifest['database']['vendor']}，目前系統使用 {connection.vendor}")
        current = code_schema_versions()
        if manifest["schema"] != current:
            differ = sorted(
                app for app in set(current) | set(manifest["schema"]) if current.get(app) != manifest["schema"].get(app)
            )
            raise BackupError(
                "備份的資料庫結構版本與目前程式不同（" + "、".join(differ) + "），不還原；請以產生該備份的程式版本還原"
            )
        before = backup_create(label="pre-restore")
        with tempfile.TemporaryDirectory(prefix="portal-restore-") as work:
            tar.extractall(work, filter="data")
            restore_database(Path(work) / manifest["database"]["file"])
            _restore_media(Path(work) / "media", manifest)
    rows = sum(manifest["tables"].values())
    return (
        before,
        f"已還原 {archive.name}：{len(manifest['tables'])} 個資料表、{rows:,} 列、{len(manifest['files'])} 個檔案",
    )


def _restore_media(folder: Path, manifest: dict) -> None:
    root = Path(settings.MEDIA_ROOT)
    wanted = set(manifest["files"])
    for relative, path in list(_media_files()):
        if relative not in wanted:
            path.unlink()
    for relative in wanted:
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(folder / relative, target)


# --- What the status page and /healthz say ---------------------------------------------------


@dataclass
class BackupStatus:
    last_backup: Path | None
    last_backup_at: datetime | None
    last_backup_size: int
    last_verified_at: datetime | None
    last_verified_ok: bool | None
    last_verified_summary: str
    backup_ok: bool
    verify_ok: bool
    warnings: list[str]


def backup_status() -> BackupStatus:
    now = timezone.now()
    found = [a for a in archives() if _archive_time(a) is not None]
    newest = found[0] if found else None
    backup_at = timezone.make_aware(_archive_time(newest)) if newest else None
    verified = None
    for archive in found:
        note = verification_of(archive)
        if note and (verified is None or note["verified_at"] > verified["verified_at"]):
            verified = note
    verified_at = datetime.fromisoformat(verified["verified_at"]) if verified else None
    max_backup_age = timedelta(hours=settings.BACKUP_MAX_AGE_HOURS)
    max_verify_age = timedelta(days=settings.BACKUP_VERIFY_MAX_AGE_DAYS)
    warnings = []
    backup_ok = backup_at is not None and now - backup_at <= max_backup_age
    if backup_at is None:
        warnings.append("尚無任何備份")
    elif not backup_ok:
        warnings.append(f"最近一次備份已超過 {settings.BACKUP_MAX_AGE_HOURS} 小時")
    verify_ok = bool(verified and verified["ok"] and now - verified_at <= max_verify_age)
    if verified is None:
        warnings.append("備份尚未驗證過")
    elif not verified["ok"]:
        warnings.append(f"最近一次驗證失敗：{verified['summary']}")
    elif not verify_ok:
        warnings.append(f"最近一次驗證已超過 {settings.BACKUP_VERIFY_MAX_AGE_DAYS} 天")
    return BackupStatus(
        last_backup=newest,
        last_backup_at=backup_at,
        last_backup_size=newest.stat().st_size if newest else 0,
        last_verified_at=verified_at,
        last_verified_ok=verified["ok"] if verified else None,
        last_verified_summary=verified["summary"] if verified else "",
        backup_ok=backup_ok,
        verify_ok=verify_ok,
        warnings=warnings,
    )
