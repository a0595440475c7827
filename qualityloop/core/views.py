"""Running a service from a view, and answering with the page region it changed.

Every page maps what a service refuses the same way (``run_service``):

- ``NotAllowed`` → 403;
- a refusal with code ``not_found`` → 404, alike for missing and not visible;
- ``ValidationFailed`` → its errors next to the form's fields;
- any other refusal (a conflict, a refused transition, a rule) → its message next to the
  field it names, or above the form.

A form shown again with its errors answers 422; for htmx it travels as 200, because htmx
swaps only 2xx answers.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect

from .errors import DomainError, NotAllowed
from .forms import add_service_errors, service_errors
from .htmx import render_region, wants_partial

REFUSED = 422


@dataclass(frozen=True)
class Outcome:
    """What running a service came to: its return value, or the messages it refused with."""

    ok: bool
    value: Any = None
    messages: tuple[str, ...] = field(default_factory=tuple)

    def __bool__(self) -> bool:
        return self.ok

    @property
    def message(self) -> str:
        return self.messages[0] if self.messages else ""


def run_service(call: Callable[[], Any], form=None) -> Outcome:
    """Run ``call()``; a refusal goes next to ``form``'s fields (if a form is given) and
    comes back as a failed ``Outcome``. Raises 403 and 404 as the module says."""
    try:
        value = call()
    except NotAllowed:
        raise PermissionDenied from None
    except DomainError as exc:
        if exc.code == "not_found":
            raise Http404(str(exc.message)) from None
        errors = service_errors(exc)
        if form is not None:
            add_service_errors(form, errors)
        return Outcome(False, messages=tuple(m for ms in errors.values() for m in ms))
    return Outcome(True, value)


def refused_status(request, status: int = REFUSED) -> int:
    """The status of a page shown again with what was refused."""
    # htmx swaps only 2xx answers, so a region with its errors travels as 200.
    return 200 if wants_partial(request) else status


class Region:
    """A named region of a page that the page's actions answer with.

    ``context(request, obj, **overrides)`` builds the page's context; a normal request gets
    the whole page, an htmx one just ``template#partial``. After a change an htmx request gets
    the fresh region and a plain form post a redirect to ``url_name`` (with the object's pk).
    The notice is passed to the region as ``notice``, or, with ``flash=True``, as a message of
    Django's messages framework (for a page that shows those inside the region). ``load(user,
    pk)``, if given, reads the object again after the service changed it.
    """

    def __init__(
        self,
        template: str,
        partial: str,
        *,
        context: Callable[..., dict],
        url_name: str,
        flash: bool = False,
        load: Callable[[Any, int], Any] | None = None,
    ):
        self.template = template
        self.partial = partial
        self.context = context
        self.url_name = url_name
        self.flash = flash
        self.load = load

    def fresh(self, request, obj):
        return self.load(request.user, obj.pk) if self.load is not None else obj

    def render(self, request, obj, *, status: int = 200, **overrides) -> HttpResponse:
        context = self.context(request, obj, **overrides)
        return render_region(request, self.template, self.partial, context, status=status)

    def refused(self, request, obj, *, status: int = REFUSED, **overrides) -> HttpResponse:
        """The page again, read afresh, with the refused form or message in ``overrides``."""
        return self.render(
            request, self.fresh(request, obj), status=refused_status(request, status), **overrides
        )

    def done(self, request, obj, notice: str) -> HttpResponse:
        if self.flash:
            messages.success(request, notice)
            if wants_partial(request):
                return self.render(request, self.fresh(request, obj))
        elif wants_partial(request):
            return self.render(request, self.fresh(request, obj), notice=notice)
        else:
            messages.success(request, notice)
        return redirect(self.url_name, pk=obj.pk)

    def submit(
        self,
        request,
        obj,
        form,
        call: Callable[[dict], Any],
        notice: str | Callable[[Any], str],
        **on_refusal,
    ) -> HttpResponse:
        """Validate ``form`` and run ``call(form.cleaned_data)``: the changed region or a
        redirect when it went through, else the page with ``on_refusal`` (the form in its
        slot) and the errors next to the form's fields. ``notice`` may be a function of what
        the service returned."""
        if form.is_valid():
            outcome = run_service(lambda: call(form.cleaned_data), form)
            if outcome:
                text = notice(outcome.value) if callable(notice) else notice
                return self.done(request, obj, text)
        return self.refused(request, obj, **on_refusal)
