"""Rendering a page or just one of its partials, depending on who asks."""

from django.shortcuts import render
from django.utils.cache import patch_vary_headers


def wants_partial(request) -> bool:
    """An htmx request swaps a region; a history restore needs the whole page back."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


def render_region(request, template: str, partial: str, context: dict, *, status: int = 200):
    """Render ``template`` for a normal request, ``template#partial`` for an htmx one."""
    name = f"{template}#{partial}" if wants_partial(request) else template
    response = render(request, name, context, status=status)
    # The same URL answers with a fragment or a page, so caches must key on the header.
    patch_vary_headers(response, ("HX-Request",))
    return response
