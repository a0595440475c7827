"""The ``qualityloop`` command.

qualityloop run [--host H] [--port P]   migrate, serve web + worker (no account is created)
qualityloop run --demo                  the same, loading demo data into an empty database
qualityloop worker                      one background worker (start as many as you like)
qualityloop verify-events               check the hash chains of every record
qualityloop <any manage.py command>     e.g. qualityloop createsuperuser
"""

import argparse
import os
import secrets
import signal
import subprocess
import sys
from pathlib import Path

import django
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command, execute_from_command_line
from django.db import connections

FIRST_ADMINISTRATOR = """No administrator exists yet, and no account was created.
Create the first administrator with:

    qualityloop createsuperuser

(or start with `qualityloop run --demo` on an empty database for the demo accounts)."""


def _data_dir() -> Path:
    # settings.DATA_DIR's default, read here because settings cannot load before a key is known.
    default = Path(__file__).resolve().parent.parent / "var"
    return Path(os.environ.get("QUALITYLOOP_DATA_DIR", default)).resolve()


def use_installation_key(*, create: bool) -> Path | None:
    """Without SECRET_KEY in the environment, use the key kept in the data directory.

    Only ``qualityloop run`` creates it (``create``), once, for a single-machine installation;
    the other commands use it when it is there. Returns the file when one was used.
    """
    if os.environ.get("SECRET_KEY"):
        return None
    path = _data_dir() / "secret_key"
    if create and not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as out:
            out.write(secrets.token_urlsafe(50))
    if not path.exists():
        return None
    os.environ["SECRET_KEY"] = path.read_text().strip()
    return path


def prepare_database_dir() -> None:
    """Create the SQLite file's directory, which settings only name.

    Settings load here, on first use, so the key must be in the environment by now.
    """
    database = settings.DATABASES["default"]
    name = str(database["NAME"])
    in_a_file = name not in {"", ":memory:"} and not name.startswith("file:")
    if database["ENGINE"] == "django.db.backends.sqlite3" and in_a_file:
        Path(name).parent.mkdir(parents=True, exist_ok=True)


def manage(argv: list[str]) -> None:
    """Run a Django management command, as ``manage.py`` does."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qualityloop.settings")
    use_installation_key(create=False)
    prepare_database_dir()
    execute_from_command_line(["qualityloop", *argv])


def prepare_to_serve(*, demo: bool, demo_complaints: int | None = None) -> None:
    """Migrate; then load the demo into an empty database if asked, else say how to begin.

    ``demo_complaints`` sets the demo's size (``load_demo``'s default when None).
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qualityloop.settings")
    prepare_database_dir()
    # WhiteNoise serves what `collectstatic` put here beside the apps' own files.
    if settings.STATIC_ROOT:
        Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    if demo:
        size = {} if demo_complaints is None else {"complaints": demo_complaints}
        call_command("load_demo", if_empty=True, **size)
        return
    if not get_user_model().objects.filter(is_superuser=True, is_active=True).exists():
        print(f"\n{FIRST_ADMINISTRATOR}\n")


def _run(args: argparse.Namespace) -> int:
    if key_file := use_installation_key(create=True):
        print(
            f"SECRET_KEY is not set: using {key_file} for this installation. "
            "Set SECRET_KEY, the same on every machine, when several serve one database."
        )
    prepare_to_serve(demo=args.demo)
    # The supervisor only waits from here on; it keeps no database connection open.
    connections.close_all()
    # The children get the key through the environment.
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "qualityloop.settings"}
    children = [
        subprocess.Popen([sys.executable, "-m", "qualityloop.cli", "worker"], env=env),
        subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "gunicorn",
                "qualityloop.wsgi",
                "--bind",
                f"{args.host}:{args.port}",
                "--workers",
                str(args.web_workers),
                "--threads",
                "4",
                "--access-logfile",
                "-",
            ],
            env=env,
        ),
    ]
    print(f"\nQualityLoop is serving on http://{args.host}:{args.port}/ (Ctrl-C stops it)\n")

    def stop(*_):
        for child in children:
            if child.poll() is None:
                child.terminate()

    signal.signal(signal.SIGTERM, stop)
    try:
        while all(child.poll() is None for child in children):
            try:
                children[1].wait(timeout=1)
            except subprocess.TimeoutExpired:
                continue
    except KeyboardInterrupt:
        pass
    finally:
        stop()
        for child in children:
            child.wait(timeout=30)
    return max((child.returncode or 0) for child in children)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        return _dispatch(argv)
    except ImproperlyConfigured as error:
        # A configuration mistake deserves its message, not a traceback.
        print(f"qualityloop: {error}", file=sys.stderr)
        return 2


def _dispatch(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="qualityloop", add_help=False)
    parser.add_argument("command", nargs="?", default="help")
    known, rest = parser.parse_known_args(argv)
    if known.command == "run":
        run = argparse.ArgumentParser(prog="qualityloop run")
        run.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        run.add_argument("--port", default=os.environ.get("PORT", "8000"))
        run.add_argument("--web-workers", type=int, default=int(os.environ.get("WEB_WORKERS", "2")))
        run.add_argument(
            "--demo",
            action="store_true",
            help="load the demo manufacturer and its accounts into an empty database",
        )
        return _run(run.parse_args(rest))
    if known.command == "worker":
        manage(["schedule_jobs", "-v", "0"])
        manage(["db_worker", "--no-reload", *rest])
        return 0
    if known.command == "verify-events":
        manage(["verify_events", *rest])
        return 0
    if known.command in {"help", "-h", "--help"}:
        print(__doc__)
        return 0
    manage([known.command, *rest])
    return 0


if __name__ == "__main__":
    sys.exit(main())
