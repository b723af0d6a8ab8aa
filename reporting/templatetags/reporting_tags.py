"""Hours as the usage pages print them: the portal's one hours filter (1,234.5; 12, not 12.0)."""

from django import template

from portal.templatetags.portal_tags import hours as _hours

register = template.Library()


@register.filter
def hours(value) -> str:
    return _hours(value)
