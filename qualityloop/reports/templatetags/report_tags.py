from django import template

from qualityloop.reports.documents import KINDS

register = template.Library()


@register.simple_tag
def report_kinds():
    """The reports every complaint has, for the links on the complaint page."""
    return list(KINDS.values())
