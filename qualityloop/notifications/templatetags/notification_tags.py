from django import template

from qualityloop.notifications import access

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context) -> int:
    """The signed-in user's unread count: one query per request, none when signed out."""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if request is None:
        return access.unread_count(user)
    if not hasattr(request, "_unread_notifications"):
        request._unread_notifications = access.unread_count(user)
    return request._unread_notifications
