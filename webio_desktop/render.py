"""Server-side rendering: markdown, code highlighting and HTML sanitizing.

The page receives finished, safe HTML fragments, so the browser needs no markdown or highlighting
library and untrusted text never reaches it as markup. The libraries load on first use: an app
that shows no markdown or code does not pay for importing them at start-up.
"""
from __future__ import annotations

import functools
import html
import logging
import re
import textwrap
from typing import Any

logger = logging.getLogger("webio_desktop.output")

# The URL schemes a link may use (besides relative and fragment URLs, which have none). Anything
# else (javascript:, data:, vbscript:, file:...) is dropped: a click must never run script.
LINK_SCHEMES = frozenset({"http", "https", "mailto"})
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
# What a browser ignores while parsing a URL: C0 controls and spaces around it, tabs and
# newlines anywhere ("java\tscript:" is "javascript:").
_URL_IGNORED = re.compile(r"[\t\n\r]")


def url_scheme(url: str) -> str | None:
    """The scheme a browser would see in ``url`` (lower case), None for a relative URL."""
    cleaned = _URL_IGNORED.sub("", url).strip("".join(map(chr, range(0x21))))
    match = _SCHEME.match(cleaned)
    return match.group(1).lower() if match else None


def safe_url(url: Any, what: str = "link", images: bool = False) -> str | None:
    """``url`` when a page may use it, else None after a logged warning.

    :param url: the URL an app passed (``put_link(url=)``, ``put_image(src)``).
    :param what: names the caller in the warning.
    :param images: also accept ``data:image/...`` URLs (an image's bytes, never script).
    Links: http(s), mailto, relative and fragment URLs (:data:`LINK_SCHEMES`).
    """
    text = str(url)
    scheme = url_scheme(text)
    if scheme is None or scheme in LINK_SCHEMES:
        return text
    if images and scheme == "data" and text.strip().lower().startswith("data:image/"):
        return text
    logger.warning("%s: dropped a %s: URL (only http, https, mailto and relative URLs)",
                   what, scheme[:20])
    return None


# Tags and attributes a sanitized fragment may keep: nh3's safe defaults plus the few that
# rendered markdown and highlighted code use. No inline ``style`` (a cell styled
# ``position:fixed`` can cover the window) and only the classes our code blocks use.
_EXTRA_TAGS = {"span", "input", "details", "summary", "mark"}
_EXTRA_ATTRIBUTES = {
    "pre": {"data-language"}, "td": {"align"}, "th": {"align"},
    "img": {"src", "alt", "title", "width", "height"}, "a": {"href", "title", "target"},
}
_ATTRIBUTE_VALUES = {"input": {"type": {"checkbox"}, "checked": {""}, "disabled": {""}}}


@functools.lru_cache(maxsize=1)
def _sanitizer_settings() -> dict[str, Any]:
    import nh3
    from pygments.token import STANDARD_TYPES

    attributes = {tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()}
    for tag, extra in _EXTRA_ATTRIBUTES.items():
        attributes.setdefault(tag, set()).update(extra)
    token_classes = {name for name in STANDARD_TYPES.values() if name}
    return {"tags": nh3.ALLOWED_TAGS | _EXTRA_TAGS, "attributes": attributes,
            "tag_attribute_values": _ATTRIBUTE_VALUES, "url_schemes": set(LINK_SCHEMES),
            "allowed_classes": {"span": token_classes, "pre": {"webio-code", "highlight"}}}


def sanitize(fragment: str) -> str:
    """Strip scripts, event handlers, inline styles, foreign classes and URLs other than
    http(s), mailto and relative ones from an HTML fragment."""
    import nh3

    return nh3.clean(fragment, **_sanitizer_settings(), link_rel="noopener noreferrer")


def highlight_code(code: str, language: str = "") -> str:
    """HTML for a code block, coloured by pygments when the language is known."""
    from pygments import highlight
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    try:
        lexer = get_lexer_by_name(language) if language else None
    except ClassNotFound:
        lexer = None
    body = html.escape(code) if lexer is None else highlight(code, lexer, _formatter())
    lang = f' data-language="{html.escape(language)}"' if language else ""
    return f'<pre class="webio-code highlight"{lang}><code>{body}</code></pre>'


@functools.lru_cache(maxsize=1)
def _formatter() -> Any:
    from pygments.formatters import HtmlFormatter

    # Spans with pygments' short token classes only; our CSS colours them.
    return HtmlFormatter(nowrap=True)


_CODE_BLOCK = re.compile(r'<pre><code(?: class="language-([^"]*)")?>(.*?)</code></pre>', re.S)

# GitHub's extensions, as PyWebIO's marked.js renders them (GFM), except "tagfilter": raw HTML
# is either trusted (sanitize=False) or cleaned by nh3 afterwards.
_GFM_EXTENSIONS = ("table", "strikethrough", "autolink", "tasklist")


def _highlight_block(match: re.Match) -> str:
    return highlight_code(html.unescape(match.group(2)), html.unescape(match.group(1) or ""))


def dedent_markdown(text: str) -> str:
    """PyWebIO's ``lstrip``: drop the indentation shared by lines 2..n (line 1 follows a quote)."""
    first, _, rest = text.partition("\n")
    return first.strip() + ("\n" + textwrap.dedent(rest) if rest else "")


def markdown(text: str, sanitize_html: bool = True) -> str:
    """Render GitHub-flavoured markdown to an HTML fragment, code blocks highlighted.

    cmark-gfm (GitHub's own C implementation, through cmarkgfm) renders 200 KiB in about 10 ms;
    a pure-Python parser took about 50 times as long, most of a big put_markdown's time.
    """
    import cmarkgfm
    from cmarkgfm.cmark import Options

    # HARDBREAKS: a line break inside a paragraph stays a line break, as in PyWebIO (its front end
    # renders with marked's `breaks: true`); chat messages of several lines rely on it.
    rendered = cmarkgfm.markdown_to_html_with_extensions(
        text, options=Options.CMARK_OPT_UNSAFE | Options.CMARK_OPT_HARDBREAKS,
        extensions=_GFM_EXTENSIONS)
    rendered = _CODE_BLOCK.sub(_highlight_block, rendered)
    return sanitize(rendered) if sanitize_html else rendered
