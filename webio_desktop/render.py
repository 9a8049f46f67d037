"""Server-side rendering: markdown, code highlighting and HTML sanitizing.

The page receives finished, safe HTML fragments, so the browser needs no markdown or highlighting
library and untrusted text never reaches it as markup. The libraries load on first use: an app
that shows no markdown or code does not pay for importing them at start-up.
"""
from __future__ import annotations

import functools
import html
import re
import textwrap
from typing import Any

# Tags and attributes a sanitized fragment may keep: nh3's safe defaults plus the few that
# rendered markdown and highlighted code use.
_EXTRA_TAGS = {"span", "input", "details", "summary", "mark"}
_EXTRA_ATTRIBUTES = {
    "span": {"class"}, "code": {"class"}, "pre": {"class", "data-language"}, "div": {"class"},
    "input": {"type", "checked", "disabled"}, "td": {"align", "style"}, "th": {"align", "style"},
    "img": {"src", "alt", "title", "width", "height"}, "a": {"href", "title", "target"},
}


@functools.lru_cache(maxsize=1)
def _sanitizer_settings() -> dict[str, Any]:
    import nh3

    attributes = {tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()}
    for tag, extra in _EXTRA_ATTRIBUTES.items():
        attributes.setdefault(tag, set()).update(extra)
    return {"tags": nh3.ALLOWED_TAGS | _EXTRA_TAGS, "attributes": attributes}


def sanitize(fragment: str) -> str:
    """Strip scripts, event handlers and dangerous URLs from an HTML fragment."""
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

    rendered = cmarkgfm.markdown_to_html_with_extensions(
        text, options=Options.CMARK_OPT_UNSAFE, extensions=_GFM_EXTENSIONS)
    rendered = _CODE_BLOCK.sub(_highlight_block, rendered)
    return sanitize(rendered) if sanitize_html else rendered
