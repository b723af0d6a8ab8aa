"""One contract for every registered import: the same hostile corpus through the pipeline,
the pages and the management command ends in a clear Chinese refusal with its reason, the
process alive and nothing stored (the pending upload aside)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from portal.imports import pipeline
from portal.imports.kinds import ImportTarget, get_kind, registered
from portal.models import PendingUpload
from tests.imports import hostile
from tests.imports.conftest import KINDS, clean_file, upload_file, written

pytestmark = pytest.mark.django_db
CORPUS = hostile.corpus()
COMMANDS = {
    "roster": "import_roster",
    "devices": "import_devices",
    "attendance": "import_attendance",
    "usage": "import_usage",
}


def target(kind, world):
    county = world["county"] if get_kind(kind).needs_county else None
    return ImportTarget(plan_year=world["plan_year"], county=county)


def test_the_four_kinds_are_registered():
    assert {kind.name for kind in registered()} >= set(KINDS)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("case", CORPUS, ids=[case.name for case in CORPUS])
def test_the_pipeline_refuses_each_hostile_file_with_its_reason(world, kind, case):
    before = written()
    parse = pipeline.read_file(get_kind(kind), case.content, target=target(kind, world))
    assert not parse.ok and case.reason in parse.errors[0].message, parse.errors[:2]
    with pytest.raises(pipeline.ImportRefused):
        pipeline.import_rows(get_kind(kind), parse, target=target(kind, world), user=None)
    assert written() == before


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("case", CORPUS, ids=[case.name for case in CORPUS])
def test_the_pages_refuse_each_hostile_file(world, officer_client, kind, case):
    before = written()
    response = upload_file(officer_client, kind, case.content)
    if not case.content:
        assert response.status_code == 200 and "檔案是空的" in response.content.decode()
        return
    assert response.status_code == 302
    upload = PendingUpload.objects.get()
    page = officer_client.get(response["Location"])
    assert page.status_code == 200 and case.reason in page.content.decode()
    assert "確認匯入 " not in page.content.decode()
    refused = officer_client.post(reverse(get_kind(kind).urls.confirm, args=[upload.pk]), follow=True)
    assert refused.status_code == 200 and "未匯入任何資料" in refused.content.decode()
    upload.refresh_from_db()
    assert upload.status == PendingUpload.Status.PENDING and written() == before


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("case", CORPUS, ids=[case.name for case in CORPUS])
def test_the_command_refuses_each_hostile_file(world, kind, case, tmp_path, capsys):
    path = tmp_path / "hostile.xlsx"
    path.write_bytes(case.content)
    args = [COMMANDS[kind], str(path), "--year", "111"]
    if get_kind(kind).needs_county:
        args += ["--county", "花蓮縣"]
    before = written()
    with pytest.raises(CommandError, match="未寫入任何資料"):
        call_command(*args)
    assert case.reason in capsys.readouterr().err and written() == before


@pytest.mark.parametrize("kind", KINDS)
def test_one_row_over_the_row_limit_is_refused_naming_the_limit(world, kind):
    spec = get_kind(kind)
    header = [column.label for column in spec.columns]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([f"v{n}"] * len(header) for n in range(spec.max_rows + 1))
    content = buffer.getvalue().encode()
    parse = pipeline.read_file(spec, content, target=target(kind, world), max_bytes=len(content))
    assert [p.message for p in parse.errors] == [
        f"檔案有 {spec.max_rows + 1:,} 列資料，超過{spec.title if kind != 'roster' else '名單'}每次匯入的上限 "
        f"{spec.max_rows:,} 列，請分檔上傳"
    ]


@pytest.mark.parametrize("kind", KINDS)
def test_one_byte_over_the_upload_limit_is_refused_by_the_form(world, officer_client, kind, settings):
    content = clean_file(kind)
    settings.UPLOAD_MAX_BYTES = len(content) - 1
    response = upload_file(officer_client, kind, content)
    assert response.status_code == 200 and "檔案太大" in response.content.decode()
    assert not PendingUpload.objects.exists()


@pytest.mark.parametrize("kind", KINDS)
def test_formula_and_html_in_text_cells_are_shown_as_text(world, officer_client, kind):
    spec = get_kind(kind)
    payloads = ["<script>alert(1)</script>", '=HYPERLINK("http://x")', "+cmd|' /C calc'!A0", "@SUM(A1)"]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([column.label for column in spec.columns])
    for payload in payloads:
        writer.writerow([payload] * len(spec.columns))
    response = upload_file(officer_client, kind, buffer.getvalue().encode(), name="payload.csv")
    page = officer_client.get(response["Location"])
    text = page.content.decode()
    assert page.status_code == 200 and "<script>alert(1)" not in text and "&lt;script&gt;alert(1)" in text
    problems = officer_client.get(response["Location"] + "?download=problems").content.decode("utf-8-sig")
    # In the downloaded list no cell starts like a formula.
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in csv.reader(io.StringIO(problems)) for cell in row)


@pytest.mark.parametrize("kind", KINDS)
def test_a_clean_file_goes_the_whole_way_through_the_pages(world, officer_client, kind):
    before = written()
    response = upload_file(officer_client, kind, clean_file(kind, variant=1))
    page = officer_client.get(response["Location"]).content.decode()
    assert f"確認匯入 2 {get_kind(kind).unit}" in page
    upload = PendingUpload.objects.get()
    done = officer_client.post(reverse(get_kind(kind).urls.confirm, args=[upload.pk]), follow=True)
    assert "已匯入" in done.content.decode()
    assert written() != before
    upload.refresh_from_db()
    assert upload.status == PendingUpload.Status.CONFIRMED


# --- As a process: exit status, no traceback, time and memory -----------------------------

MEASURE = r"""
import json, resource, subprocess, sys, time
started = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
print(json.dumps({"status": done.returncode, "stderr": done.stderr, "seconds": time.perf_counter() - started,
                  "max_rss_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
"""


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("ref", ["XFD199000", "XFD20000"])
def test_a_sparse_file_ends_the_command_without_a_traceback_under_300_mb(migrated_sqlite, kind, ref, tmp_path):
    """Its time (under 2 s as a whole process) is measured in bench/imports.py --only hostile."""
    path = tmp_path / "sparse.xlsx"
    path.write_bytes(hostile.far_cell(ref))
    root = Path(__file__).resolve().parents[2]
    args = [sys.executable, str(root / "manage.py"), COMMANDS[kind], str(path)]
    if get_kind(kind).needs_county:
        args += ["--county", "花蓮縣"]
    result = json.loads(
        subprocess.run(
            [sys.executable, "-c", MEASURE, *args], capture_output=True, text=True, env=migrated_sqlite, check=True
        ).stdout
    )
    assert result["status"] == 1 and "Traceback" not in result["stderr"], result["stderr"]
    assert ref in result["stderr"] and "未寫入任何資料" in result["stderr"]
    assert result["max_rss_kb"] < 300 * 1024, result
