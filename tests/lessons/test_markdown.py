"""Lesson Markdown is rendered once per change and nothing dangerous survives sanitising."""

from html.parser import HTMLParser

import pytest

from lessons.markdown import ALLOWED_TAGS, ALLOWED_URL_SCHEMES, LINK_REL, render_lesson_markdown
from lessons.models import Lesson
from tests.builders import make_lesson

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/xss.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<img src="x" OnErRoR="alert(1)">',
    "<img src=\"javascript:alert('img')\">",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click][ref]\n\n[ref]: javascript:alert(1)",
    "<javascript:alert(1)>",
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    '<a href="&#x6A;avascript&#x3A;alert(1)">x</a>',
    '<a href="java&#09;script:alert(1)">x</a>',
    '<a href="java\nscript:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    '<iframe src="https://evil.example"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<p style="background:url(javascript:alert(1))">styled</p>',
    "<style>body{background:url(javascript:alert(1))}</style>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<math href="javascript:alert(1)">x</math>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<form action="javascript:alert(1)"><button formaction="javascript:alert(2)">x</button></form>',
    '<div onmouseover="alert(1)">hover</div>',
    "<details open ontoggle=alert(1)>",
    "<body onload=alert(1)>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<link rel=stylesheet href=//evil.example/x.css>",
    '<base href="https://evil.example/">',
    "<input autofocus onfocus=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    "<<script>script>alert(1)<</script>/script>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<!--<img src=x onerror=alert(1)>-->",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    '![x](https://ok.example/x.png){: onerror="alert(1)" }',
    '[x](https://ok.example){: onclick="alert(1)" style="color:red" class="btn" }',
    '<a href="https://ok.example" target="_blank" ping="https://evil.example">x</a>',
    '<p id="csrfmiddlewaretoken" class="stretched-link">clobber</p>',
    "<template><script>alert(1)</script></template>",
    "<textarea><img src=x onerror=alert(1)></textarea>",
]

FORBIDDEN_TAGS = {
    "script",
    "style",
    "iframe",
    "object",
    "embed",
    "svg",
    "math",
    "form",
    "button",
    "input",
    "meta",
    "link",
    "base",
    "body",
    "video",
    "source",
    "template",
    "noscript",
    "textarea",
}


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def _parsed(html: str) -> list[tuple[str, dict[str, str | None]]]:
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return collector.tags


def _scheme(url: str) -> str | None:
    # Browsers ignore ASCII whitespace and control characters inside a scheme.
    cleaned = "".join(ch for ch in url if ch > " ").lower()
    head = cleaned.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    return head.split(":", 1)[0] if ":" in head else None


def _assert_safe(html: str) -> None:
    lowered = html.lower()
    assert "<script" not in lowered
    assert "javascript:" not in lowered.replace("&#", "")
    for tag, attrs in _parsed(html):
        assert tag in ALLOWED_TAGS, tag
        assert tag not in FORBIDDEN_TAGS, tag
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            assert name not in {"style", "srcdoc", "formaction", "target", "ping"}, (tag, name)
            if name in {"href", "src"}:
                scheme = _scheme(value or "")
                assert scheme is None or scheme in ALLOWED_URL_SCHEMES, (tag, value)
            if name == "id":
                assert (value or "").startswith(("fn:", "fnref:")), value
            if name == "class":
                assert set((value or "").split()) <= {
                    "admonition",
                    "admonition-title",
                    "red-flag",
                    "key-points",
                    "note",
                    "tip",
                    "warning",
                    "footnote",
                    "footnote-ref",
                    "footnote-backref",
                }, value


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_xss_payload_does_not_survive(payload):
    html = render_lesson_markdown(f"Some text.\n\n{payload}\n\nMore text.")
    _assert_safe(html)
    # The text before survives; an unclosed dangerous element may swallow what follows.
    assert "<p>Some text.</p>" in html


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_xss_payload_inside_a_callout_does_not_survive(payload):
    indented = "\n".join(f"    {line}" for line in payload.splitlines())
    _assert_safe(render_lesson_markdown(f'!!! red-flag "Stop"\n{indented}\n'))


def test_script_content_is_removed_not_shown_as_text():
    html = render_lesson_markdown("Before <script>alert('stolen')</script> after")
    assert "alert" not in html
    assert "Before" in html
    assert "after" in html


def test_safe_links_keep_their_target_and_get_noopener():
    html = render_lesson_markdown(
        "[guide](https://example.org/guide) [mail](mailto:clinic@example.org) [next](/lessons/x/)"
    )
    assert '<a href="https://example.org/guide" rel="noopener noreferrer">guide</a>' in html
    assert 'href="mailto:clinic@example.org"' in html
    assert 'href="/lessons/x/"' in html
    links = [attrs for tag, attrs in _parsed(html) if tag == "a"]
    assert len(links) == 3
    assert all(attrs["rel"] == LINK_REL for attrs in links)


def test_red_flag_callout_renders_with_its_class_and_visible_title():
    html = render_lesson_markdown(
        '!!! red-flag "Stop and escalate"\n    Bleeding that does not slow with firm pressure.\n'
    )
    assert '<div class="admonition red-flag">' in html
    assert '<p class="admonition-title">Stop and escalate</p>' in html
    assert "<p>Bleeding that does not slow with firm pressure.</p>" in html


def test_key_points_callout_renders_with_its_class_and_list():
    html = render_lesson_markdown(
        '!!! key-points "Key points"\n    - Pinpoint bleeding is expected.\n    - It stops soon.\n'
    )
    assert '<div class="admonition key-points">' in html
    assert '<p class="admonition-title">Key points</p>' in html
    assert "<li>Pinpoint bleeding is expected.</li>" in html


def test_callout_without_a_title_still_has_visible_title_text():
    html = render_lesson_markdown("!!! red-flag\n    Refer the client.\n")
    assert '<p class="admonition-title">Red-flag</p>' in html


def test_tables_footnotes_and_lists_render():
    html = render_lesson_markdown(
        "| Sign | Normal |\n| --- | --- |\n| Pinpoint | Yes |\n\n"
        "Text[^1]\n\n3. third\n4. fourth\n\n[^1]: A note.\n"
    )
    assert "<table>" in html
    assert "<td>Pinpoint</td>" in html
    assert '<sup id="fnref:1">' in html
    assert '<li id="fn:1">' in html
    assert '<ol start="3">' in html


def test_empty_body_renders_to_empty_string():
    assert render_lesson_markdown("  \n ") == ""


@pytest.mark.django_db
def test_saving_a_lesson_renders_its_body():
    lesson = make_lesson(body_markdown="Hello **there** <img src=x onerror=alert(1)>")
    assert lesson.body_html == '<p>Hello <strong>there</strong> <img src="x"></p>'
    lesson.refresh_from_db()
    assert lesson.body_html == '<p>Hello <strong>there</strong> <img src="x"></p>'


@pytest.mark.django_db
def test_body_is_rendered_again_only_when_the_markdown_changes():
    lesson = make_lesson(body_markdown="First")
    # A stored rendering that differs from a fresh one shows whether save() re-rendered.
    Lesson.objects.filter(pk=lesson.pk).update(body_html="<p>stored</p>")
    lesson = Lesson.objects.get(pk=lesson.pk)
    lesson.title = "Renamed"
    lesson.save()
    lesson.refresh_from_db()
    assert lesson.body_html == "<p>stored</p>"

    lesson = Lesson.objects.get(pk=lesson.pk)
    lesson.body_markdown = "Second"
    lesson.save(update_fields=["body_markdown"])
    lesson.refresh_from_db()
    assert lesson.body_html == "<p>Second</p>"
