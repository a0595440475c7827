"""Starting QualityLoop: settings that write nothing, the SECRET_KEY rule, no demo accounts
unless asked for."""

import os
import sqlite3
import stat
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.mail import send_mail

from qualityloop import cli
from qualityloop.testing import free_port

User = get_user_model()

ROOT = Path(__file__).resolve().parents[3]


def _environment(data_dir: Path, **extra) -> dict:
    """A machine's environment without the suite's key, database or debug switch."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "DATABASE_URL", "DEBUG", "DJANGO_SETTINGS_MODULE"}
    }
    return {**env, "QUALITYLOOP_DATA_DIR": str(data_dir), **extra}


def _import_settings(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "import qualityloop.settings"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_settings_refuse_to_load_without_a_key_when_debug_is_off(tmp_path):
    result = _import_settings(_environment(tmp_path / "data"))
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is not set." in result.stderr
    assert "Set the environment variable SECRET_KEY" in result.stderr
    assert "the same on every machine" in result.stderr
    assert not (tmp_path / "data").exists()


def test_importing_settings_creates_and_writes_nothing(tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    result = _import_settings(_environment(data_dir, SECRET_KEY="one-key-for-every-machine"))
    assert result.returncode == 0, result.stderr
    assert list(data_dir.iterdir()) == []

    missing = tmp_path / "not-yet"
    result = _import_settings(_environment(missing, SECRET_KEY="one-key-for-every-machine"))
    assert result.returncode == 0, result.stderr
    assert not missing.exists()


def test_with_debug_on_settings_load_without_a_key(tmp_path):
    result = _import_settings(_environment(tmp_path / "data", DEBUG="1"))
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "data").exists()


def test_a_command_without_a_key_says_how_to_set_one(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "qualityloop.cli", "migrate"],
        cwd=ROOT,
        env=_environment(tmp_path / "data"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("qualityloop: SECRET_KEY is not set.")
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "data").exists()


@pytest.mark.django_db
def test_start_without_demo_creates_no_account_and_says_how_to_begin(capsys):
    cli.prepare_to_serve(demo=False)
    assert User.objects.count() == 0
    out = capsys.readouterr().out
    assert "No administrator exists yet, and no account was created." in out
    assert "    qualityloop createsuperuser\n" in out


@pytest.mark.django_db
def test_start_without_demo_is_quiet_once_an_administrator_exists(capsys):
    User.objects.create_superuser("boss", password="Quality-Loop-2026")
    cli.prepare_to_serve(demo=False)
    assert "createsuperuser" not in capsys.readouterr().out
    assert list(User.objects.values_list("username", flat=True)) == ["boss"]


@pytest.mark.django_db
def test_start_with_demo_loads_the_demo_into_an_empty_database(settings, tmp_path, capsys):
    settings.ATTACHMENT_ROOT = tmp_path / "attachments"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    cli.prepare_to_serve(demo=True, demo_complaints=0)
    assert User.objects.filter(username="admin", is_superuser=True).exists()
    assert User.objects.count() > 5
    assert "createsuperuser" not in capsys.readouterr().out


def test_qualityloop_run_serves_a_fresh_installation_without_any_account(tmp_path):
    """The real command on an empty data directory: it keeps a key, makes its directories,
    migrates, creates nobody and serves the login page."""
    data_dir = tmp_path / "data"
    port = free_port()
    log = tmp_path / "run.log"
    with log.open("w") as out:
        server = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "qualityloop.cli",
                "run",
                "--port",
                str(port),
                "--web-workers=1",
            ],
            cwd=ROOT,
            env=_environment(data_dir, PYTHONUNBUFFERED="1"),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        status = None
        deadline = time.monotonic() + 120
        while status is None and time.monotonic() < deadline and server.poll() is None:
            try:
                login = f"http://127.0.0.1:{port}/login/"
                with urllib.request.urlopen(login, timeout=5) as response:
                    status = response.status
            except OSError:
                time.sleep(0.5)
        output = log.read_text()
        assert status == 200, output
    finally:
        server.terminate()
        server.wait(timeout=60)

    assert "No administrator exists yet, and no account was created." in output
    assert "qualityloop createsuperuser" in output
    key_file = data_dir / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(key_file.read_text().strip()) >= 50
    assert (data_dir / "static").is_dir()
    with sqlite3.connect(data_dir / "qualityloop.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM accounts_user").fetchone() == (0,)


def test_only_run_makes_the_installation_key_and_the_other_commands_use_it(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY")
    monkeypatch.setenv("QUALITYLOOP_DATA_DIR", str(tmp_path / "data"))
    assert cli.use_installation_key(create=False) is None
    assert "SECRET_KEY" not in os.environ
    assert not (tmp_path / "data").exists()

    made = cli.use_installation_key(create=True)
    assert made == tmp_path / "data" / "secret_key"
    key = os.environ["SECRET_KEY"]
    assert made.read_text() == key

    monkeypatch.delenv("SECRET_KEY")
    assert cli.use_installation_key(create=True) == made
    assert os.environ["SECRET_KEY"] == key, "a second start keeps the first key"
    monkeypatch.delenv("SECRET_KEY")
    assert cli.use_installation_key(create=False) == made
    assert os.environ["SECRET_KEY"] == key

    monkeypatch.setenv("SECRET_KEY", "set-by-the-operator")
    assert cli.use_installation_key(create=True) is None
    assert os.environ["SECRET_KEY"] == "set-by-the-operator"


def test_mail_without_smtp_goes_to_an_outbox_made_when_first_used(settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path / "data" / "outbox"
    assert send_mail("测试", "正文", "qualityloop@localhost", ["qa@example.com"]) == 1
    [written] = (tmp_path / "data" / "outbox").iterdir()
    assert "Subject: =?utf-8?b?5rWL6K+V?=" in written.read_text()
