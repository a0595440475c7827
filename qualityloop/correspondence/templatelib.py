"""The only tags and filters a message template may use.

Django's defaults minus everything that reaches beyond the context: no {% load %}, no
{% include %} or {% extends %}, no {% url %}, no {% debug %} (which lists the whole context
and the loaded modules), no {% csrf_token %}.
"""

from django.template import Library, defaultfilters, defaulttags

register = Library()

TAGS = (
    "autoescape",
    "comment",
    "cycle",
    "filter",
    "firstof",
    "for",
    "if",
    "ifchanged",
    "now",
    "resetcycle",
    "spaceless",
    "templatetag",
    "verbatim",
    "widthratio",
    "with",
)
HIDDEN_FILTERS = frozenset({"pprint"})

for _name in TAGS:
    register.tags[_name] = defaulttags.register.tags[_name]
for _name, _filter in defaultfilters.register.filters.items():
    if _name not in HIDDEN_FILTERS:
        register.filters[_name] = _filter
