"""Printable allocation orders (调拨令) and support requests (紧急调拨单), with WeasyPrint."""

from flask import render_template
from weasyprint import HTML


def render_pdf(template: str, **context) -> bytes:
    """A PDF from a Jinja template (A4; the CJK font is embedded by WeasyPrint)."""
    html = render_template(template, **context)
    return HTML(string=html).write_pdf()
