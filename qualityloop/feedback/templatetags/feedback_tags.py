from django import template

register = template.Library()


@register.filter
def stars(score) -> str:
    """A score of 1 to 5 as five stars, filled up to the score."""
    try:
        filled = max(0, min(5, int(score)))
    except (TypeError, ValueError):
        return ""
    return "★" * filled + "☆" * (5 - filled)
