"""Lesson Markdown to safe HTML: render with Python-Markdown, then clean with an allow-list.

Whoever writes a lesson, only the tags, attributes, classes and URL schemes
listed here reach a trainee's browser. Raw HTML in the Markdown is allowed
through Python-Markdown and then cleaned like everything else.
"""

import markdown
import nh3

MARKDOWN_EXTENSIONS = ["extra", "admonition", "sane_lists"]

# The callouts lesson authors use; each renders distinctly (see lessons.css).
CALLOUT_CLASSES = frozenset({"red-flag", "key-points"})

ALLOWED_TAGS = frozenset(
    {
        "a",
        "abbr",
        "b",
        "blockquote",
        "br",
        "caption",
        "code",
        "dd",
        "del",
        "div",
        "dl",
        "dt",
        "em",
        "figcaption",
        "figure",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "img",
        "ins",
        "kbd",
        "li",
        "mark",
        "ol",
        "p",
        "pre",
        "q",
        "s",
        "small",
        "span",
        "strong",
        "sub",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    }
)

# Removed together with everything inside them, so no stray script text or
# markup from a foreign namespace is left behind as visible text.
REMOVED_WITH_CONTENT_TAGS = frozenset(
    {
        "script",
        "style",
        "iframe",
        "object",
        "embed",
        "svg",
        "math",
        "template",
        "noscript",
        "textarea",
        "select",
        "title",
        "frameset",
        "frame",
        "applet",
    }
)

# No "class" (classes are listed per tag below), no "style", no "on*", no "id"
# except the footnote anchors checked in _keep_attribute.
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    "td": {"align", "colspan", "rowspan"},
    "th": {"align", "colspan", "rowspan", "scope"},
    "li": {"id"},
    "sup": {"id"},
}

ALLOWED_CLASSES: dict[str, set[str]] = {
    "div": {"admonition", "note", "tip", "warning", "footnote", *CALLOUT_CLASSES},
    "p": {"admonition-title"},
    "a": {"footnote-ref", "footnote-backref"},
}

ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})

LINK_REL = "noopener noreferrer"


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    """Keep ids only for Markdown's footnote anchors (fn:1, fnref:1)."""
    if attribute == "id" and not value.startswith(("fn:", "fnref:")):
        return None
    return value


def sanitise_html(html: str) -> str:
    """Clean HTML against the lesson allow-list."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(REMOVED_WITH_CONTENT_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=_keep_attribute,
        allowed_classes={tag: set(names) for tag, names in ALLOWED_CLASSES.items()},
        url_schemes=set(ALLOWED_URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    )


def render_lesson_markdown(text: str) -> str:
    """Render lesson Markdown to sanitised HTML."""
    if not text.strip():
        return ""
    html = markdown.markdown(text, extensions=MARKDOWN_EXTENSIONS, output_format="html")
    return sanitise_html(html)
