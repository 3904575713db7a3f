"""How form widgets are drawn."""

from django.forms.renderers import DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist
from django.utils.functional import cached_property


class WidgetRenderer(Jinja2):
    """Django's own widgets from its Jinja2 copies of their templates, the same markup many
    times faster than the Django template engine draws it (list filters show a dozen
    selects); the widgets that ship only Django templates (the admin's) from those."""

    @cached_property
    def _django(self):
        return DjangoTemplates()

    def get_template(self, template_name):
        try:
            return super().get_template(template_name)
        except TemplateDoesNotExist:
            return self._django.get_template(template_name)
