"""Small template helpers shared by the apps' templates."""

from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """mapping[key], or None: e.g. how many items of a plan section consent holds back (plan.restricted.hidden)."""
    try:
        return (mapping or {}).get(key)
    except AttributeError:
        return None
