"""The ``qualityloop`` command.

qualityloop run [--host H] [--port P]   migrate, load demo data once, serve web + worker
qualityloop worker                      one background worker (start as many as you like)
qualityloop verify-events               check the hash chain of every complaint's record
qualityloop <any manage.py command>     e.g. qualityloop createsuperuser
"""

import argparse
import os
import signal
import subprocess
import sys


def _django(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qualityloop.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["qualityloop", *argv])


def _run(args: argparse.Namespace) -> int:
    _django(["migrate", "--noinput", "-v", "0"])
    _django(["load_demo", "--if-empty"])
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
    parser = argparse.ArgumentParser(prog="qualityloop", add_help=False)
    parser.add_argument("command", nargs="?", default="help")
    known, rest = parser.parse_known_args(argv)
    if known.command == "run":
        run = argparse.ArgumentParser(prog="qualityloop run")
        run.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        run.add_argument("--port", default=os.environ.get("PORT", "8000"))
        run.add_argument("--web-workers", type=int, default=int(os.environ.get("WEB_WORKERS", "2")))
        return _run(run.parse_args(rest))
    if known.command == "worker":
        _django(["schedule_jobs", "-v", "0"])
        _django(["db_worker", "--no-reload", *rest])
        return 0
    if known.command == "verify-events":
        _django(["verify_events", *rest])
        return 0
    if known.command in {"help", "-h", "--help"}:
        print(__doc__)
        return 0
    _django([known.command, *rest])
    return 0


if __name__ == "__main__":
    sys.exit(main())
