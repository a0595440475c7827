"""A subscriber for the hook tests: it notes each reaction it sees, and can be told to fail."""

from django.db import connection

calls: list[tuple] = []
fail_on: set[str] = set()


def _note(name, complaint, **arguments):
    if name in fail_on:
        raise RuntimeError(f"{name} failed")
    calls.append(
        (
            name,
            arguments.get("stage") or arguments.get("transition"),
            connection.in_atomic_block,
            complaint.clocks.count(),
        )
    )


def registered(complaint, *, actor):
    _note("registered", complaint)


def stage_entered(complaint, *, stage, actor, at):
    _note("stage_entered", complaint, stage=stage)


def stage_left(complaint, *, stage, transition, actor, at):
    _note("stage_left", complaint, stage=stage)


def answered(complaint, *, actor, at, transition):
    _note("answered", complaint, transition=transition)


def finished(complaint, *, transition, actor, at):
    _note("finished", complaint, transition=transition)


def event_kinds():
    return {"recorded": "测试记录"}


def gate_facts(complaint):
    return {"has_root_cause": False} if "no_root_cause" in fail_on else None
