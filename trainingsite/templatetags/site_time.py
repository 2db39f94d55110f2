"""`{% moment value %}`: a moment shown in the reader's own time zone.

The server writes the moment in the site's zone with the zone named ("3 June 2026, 06:03 UTC"),
inside `<time datetime=… data-localtime=…>`; `static/js/localtime.js` rewrites it to the
browser's zone, 24-hour, and the footer names that zone once per page. Without the script the
server's text stays, and says which zone it is in.
"""

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import format_html

register = template.Library()

# What the server writes before the browser rewrites it, per kind of moment.
SERVER_FORMATS = {
    "datetime": "j F Y, H:i T",
    "date": "j F Y",
    "time": "H:i T",
}


@register.simple_tag
def moment(value: datetime | None, kind: str = "datetime", empty: str = "") -> str:
    """A `<time>` element for an aware datetime; `empty` for None."""
    if value is None:
        return empty
    if kind not in SERVER_FORMATS:
        raise template.TemplateSyntaxError(
            f"moment: kind must be one of {', '.join(SERVER_FORMATS)}, not {kind!r}"
        )
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return format_html(
        '<time datetime="{}" data-localtime="{}">{}</time>',
        value.isoformat(),
        kind,
        date_format(local, SERVER_FORMATS[kind]),
    )
