"""{% pk_url %}: the address of one object's page, for the rows of a list, without a
reverse() per row (common.urls)."""

from django import template

from common.urls import pk_reverse

register = template.Library()


@register.simple_tag
def pk_url(name, pk):
    """The address of a view that takes one pk, e.g. {% pk_url "projects:project_detail" 3 %}."""
    return pk_reverse(name, pk)
