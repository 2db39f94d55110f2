"""Lesson Markdown to safe HTML: render with Python-Markdown, then clean with an allow-list.

Whoever writes a lesson, only the tags, attributes, classes and URL schemes
listed here reach a trainee's browser. Raw HTML in the Markdown is allowed
through Python-Markdown and then cleaned like everything else.
"""

import functools
import re
from dataclasses import dataclass
from xml.etree import ElementTree

import markdown
import nh3
from markdown.treeprocessors import Treeprocessor

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


# Raw HTML left open can hide the rest of a lesson: Python-Markdown turns the
# text after an unclosed block-level tag into one raw block, and the sanitiser
# drops what an unclosed <svg>, <math>, <script>, <textarea> ... would contain.
# So the lesson is rendered whole three ways over: each unclosed opener found in
# the raw HTML is removed from the text (and reported with its line, for the
# admin), whatever is left open in the HTML is removed from the HTML, and each
# top-level block is cleaned on its own, so nothing spills into the next block.

# Elements whose content is raw text up to their end tag, tags and all (HTML spec).
RAW_TEXT_TAGS = frozenset(
    {
        "script",
        "style",
        "textarea",
        "title",
        "xmp",
        "iframe",
        "noembed",
        "noframes",
        "noscript",
        "plaintext",
    }
)
# Roots of foreign content: "/>" closes them, and what they hold is not HTML.
FOREIGN_ROOTS = frozenset({"svg", "math"})
COMMENT = "!--"
# Each pass removes at least one unclosed tag; what remains after this many is
# removed from the HTML instead.
MAX_REPAIR_PASSES = 10
# Between top-level blocks of the rendered HTML; never in a lesson (an invisible
# separator around a private-use character).
BLOCK_BOUNDARY = "\u2063\ue000block\ue000\u2063"

UNCLOSED_TAG = (
    "Line {line}: <{tag}> is opened but never closed, so trainees would not see what "
    "follows it. Close it with </{tag}> or remove it."
)
UNCLOSED_COMMENT = (
    "Line {line}: an HTML comment (<!--) is opened but never closed with -->, so "
    "trainees would not see what follows it. Close it or remove it."
)

_TOKEN = re.compile(
    r"(?P<comment_start><!--)|(?P<comment_end>-->)"
    r"|<(?P<end>/)?(?P<name>[A-Za-z][A-Za-z0-9:-]*)(?P<attrs>(?:\"[^\"]*\"|'[^']*'|[^'\">])*)>"
)
_FENCED_CODE = re.compile(r"^[ ]*(?P<fence>`{3,}|~{3,}).*?^[ ]*(?P=fence)[ ]*$", re.M | re.S)
_CODE_SPAN = re.compile(r"(?<!`)(?P<ticks>`+)(?!`)(?:(?!\n[ ]*\n).)+?(?<!`)(?P=ticks)(?!`)", re.S)


@dataclass(frozen=True, order=True)
class UnclosedHtml:
    """Raw HTML in a lesson left open: its line (from 1) and tag name ("!--" for a comment)."""

    line: int
    tag: str

    @property
    def message(self) -> str:
        if self.tag == COMMENT:
            return UNCLOSED_COMMENT.format(line=self.line)
        return UNCLOSED_TAG.format(line=self.line, tag=self.tag)


@dataclass(frozen=True)
class _Token:
    start: int
    end: int
    kind: str  # "start", "end", "comment_start" or "comment_end"
    name: str
    self_closing: bool = False


@functools.lru_cache(maxsize=512)
def hides_what_follows(tag: str) -> bool:
    """True when an unclosed <tag> makes the sanitiser drop or garble the text after it.

    Asked of the sanitiser itself rather than listed: besides the elements removed
    with their content, it drops what follows any SVG or MathML element name.
    """
    if tag in RAW_TEXT_TAGS:
        return True
    cleaned = sanitise_html(f"<p>before <{tag}> after</p><p>next</p>")
    return "after" not in cleaned or "next" not in cleaned or "&lt;" in cleaned


def _tokens(text: str, offset: int = 0) -> list[_Token]:
    found = []
    for match in _TOKEN.finditer(text):
        start, end = match.start() + offset, match.end() + offset
        if match["comment_start"]:
            found.append(_Token(start, end, "comment_start", COMMENT))
        elif match["comment_end"]:
            found.append(_Token(start, end, "comment_end", COMMENT))
        else:
            kind = "end" if match["end"] else "start"
            closing = match["attrs"].rstrip().endswith("/")
            found.append(_Token(start, end, kind, match["name"].lower(), closing))
    return found


def _close(opened: list[_Token], name: str) -> None:
    """Close the innermost open `name` and everything opened inside it."""
    for index in range(len(opened) - 1, -1, -1):
        if opened[index].name == name:
            del opened[index:]
            return


def _unclosed(tokens: list[_Token]) -> list[_Token]:
    """The openers of content-hiding elements and comments that nothing later closes."""
    opened: list[_Token] = []
    foreign: list[_Token] = []  # open <svg>/<math>: what they hold goes with them
    raw: _Token | None = None  # inside a raw-text element or a comment
    for token in tokens:
        if raw is not None:
            if (raw.kind == "comment_start" and token.kind == "comment_end") or (
                raw.kind == "start" and token.kind == "end" and token.name == raw.name
            ):
                raw = None
            continue
        if token.kind == "comment_start":
            raw = token
        elif token.name in FOREIGN_ROOTS:
            if token.kind == "start" and not token.self_closing:
                foreign.append(token)
            elif token.kind == "end":
                _close(foreign, token.name)
        elif foreign or token.kind == "comment_end":
            continue
        elif token.kind == "start" and token.name in RAW_TEXT_TAGS:
            raw = token
        elif token.kind == "start" and hides_what_follows(token.name):
            opened.append(token)
        elif token.kind == "end":
            _close(opened, token.name)
    return [*opened, *foreign, *([raw] if raw is not None else [])]


def _normalise(text: str) -> str:
    """The text as Python-Markdown reads it (line breaks, tabs, blank lines); lines unchanged."""
    text = text.replace("\x02", "").replace("\x03", "").replace(BLOCK_BOUNDARY, "")
    text = text.replace("\r\n", "\n").replace("\r", "\n").expandtabs(4)
    return re.sub(r"(?<=\n) +\n", "\n", text)


def _code_ranges(source: str) -> list[tuple[int, int]]:
    return [
        match.span() for pattern in (_FENCED_CODE, _CODE_SPAN) for match in pattern.finditer(source)
    ]


def _raw_html_tokens(source: str, stash: list) -> list[_Token]:
    """The tags of the raw HTML Python-Markdown kept, placed where they stand in `source`.

    Markdown stashes raw HTML verbatim (blocks first, then inline tags in order);
    code is escaped and never stashed as raw HTML, so a match inside a code span
    or block, or inside text already placed, is skipped.
    """
    skip = _code_ranges(source)
    tokens: list[_Token] = []
    for fragment in stash:
        piece = fragment.strip() if isinstance(fragment, str) else ""
        if "<" not in piece and "-->" not in piece:
            continue
        at = source.find(piece)
        while at >= 0 and any(start <= at < end for start, end in skip):
            at = source.find(piece, at + 1)
        if at < 0:
            continue
        skip.append((at, at + len(piece)))
        tokens.extend(_tokens(piece, at))
    return sorted(tokens, key=lambda token: token.start)


def _without(text: str, tokens: list[_Token]) -> str:
    """Remove the given tags from `text`, keeping their line breaks so line numbers hold."""
    for token in sorted(tokens, key=lambda t: t.start, reverse=True):
        breaks = "\n" * text.count("\n", token.start, token.end)
        text = text[: token.start] + breaks + text[token.end :]
    return text


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _first_line_naming(source: str, tag: str) -> int:
    at = source.lower().find("<!--" if tag == COMMENT else f"<{tag}")
    return _line_of(source, at) if at >= 0 else 1


class _MarkBlocks(Treeprocessor):
    """Put BLOCK_BOUNDARY after each top-level block, so each can be cleaned on its own."""

    def run(self, root: ElementTree.Element) -> None:
        for child in root:
            child.tail = BLOCK_BOUNDARY + (child.tail or "")


def _converter() -> markdown.Markdown:
    converter = markdown.Markdown(extensions=MARKDOWN_EXTENSIONS, output_format="html")
    # Lowest priority: after every extension's tree processor (footnotes add theirs late).
    converter.treeprocessors.register(_MarkBlocks(converter), "mark_blocks", -100)
    return converter


def _render_checked(text: str) -> tuple[str, list[UnclosedHtml]]:
    """Render the whole lesson, unclosed raw HTML removed; say where the first ones were.

    Only the first pass's findings are reported: removing an unclosed <svg> can
    leave its children open, which closing the <svg> would have closed too.
    """
    source = _normalise(text)
    found: set[UnclosedHtml] = set()
    for _ in range(MAX_REPAIR_PASSES):
        converter = _converter()
        html = converter.convert(source)
        unclosed = _unclosed(_raw_html_tokens(source, converter.htmlStash.rawHtmlBlocks))
        if not unclosed:
            break
        if not found:
            found = {UnclosedHtml(_line_of(source, t.start), t.name) for t in unclosed}
        source = _without(source, unclosed)
    blocks = html.split(BLOCK_BOUNDARY)
    for index, block in enumerate(blocks):
        left = _unclosed(_tokens(block))
        if left:
            if not found:
                found = {UnclosedHtml(_first_line_naming(source, t.name), t.name) for t in left}
            blocks[index] = _without(block, left)
    return "".join(sanitise_html(block) for block in blocks), sorted(found)


def lesson_markdown_problems(text: str) -> list[UnclosedHtml]:
    """Raw HTML left open in lesson Markdown, which would hide what follows it."""
    if not text.strip():
        return []
    return _render_checked(text)[1]


def render_lesson_markdown(text: str) -> str:
    """Render lesson Markdown to sanitised HTML, all of it: unclosed raw HTML is dropped."""
    if not text.strip():
        return ""
    return _render_checked(text)[0]
