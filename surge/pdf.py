"""Printable allocation orders (调拨令) and support requests (紧急调拨单), with WeasyPrint.

Both are official documents in Chinese, whatever language the user reads the site in: the
templates are written in Chinese, depots and items carry their Chinese names, and every text
that goes through Flask-Babel (the order's status, "the system") is rendered in Chinese too.
"""

from flask import render_template
from flask_babel import force_locale
from weasyprint import HTML

LANGUAGE = "zh_CN"


def render_pdf(template: str, view, **context) -> bytes:
    """A PDF from a Jinja template (A4; the CJK font is embedded by WeasyPrint); `view()`
    builds the rest of the context, in the documents' language like the template."""
    with force_locale(LANGUAGE):
        html = render_template(template, **view(), **context)
    return HTML(string=html).write_pdf()
