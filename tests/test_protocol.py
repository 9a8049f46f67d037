"""The protocol module's validation and the small pure helpers around it."""
import json

import pytest

from webio_desktop import protocol, render
from webio_desktop.server.apps import normalize_apps
from webio_desktop.utils import parse_file_size


def test_valid_events_pass():
    event = protocol.parse_event('{"event":"submit","task":"f1","data":{"data":"x"}}')
    assert event == {"event": "submit", "task": "f1", "data": {"data": "x"}}
    assert protocol.parse_event('{"event":"callback","id":"cb1"}')["data"] is None


@pytest.mark.parametrize("text, message", [
    ("not json", "not JSON"),
    ("[1, 2]", "JSON object"),
    ('{"event": "explode"}', "unknown event"),
    ('{"event": "submit", "task": "f1"}', "lacks field 'data'"),
    ('{"event": "submit", "task": 5, "data": {}}', "wrong type"),
    ('{"event": "input", "task": "f", "name": "n", "trigger": "hover", "value": 1}', "trigger"),
])
def test_malformed_events_are_refused_with_a_reason(text, message):
    with pytest.raises(protocol.ProtocolError, match=message):
        protocol.parse_event(text)


def test_oversized_message_is_refused():
    with pytest.raises(protocol.ProtocolError, match="over the limit"):
        protocol.parse_event('{"event":"callback","id":"' + "x" * 100 + '"}', max_size=50)


def test_frames_are_json_arrays():
    frame = protocol.encode_frame([protocol.output({"type": "text", "content": "é"}, "ROOT", -1)])
    assert json.loads(frame) == [{"cmd": "output", "spec": {"type": "text", "content": "é"},
                                  "scope": "ROOT", "position": -1}]


def test_file_sizes():
    assert parse_file_size("200M") == 200 * 1024 ** 2
    assert parse_file_size("40k") == 40 * 1024
    assert parse_file_size(1000) == 1000
    with pytest.raises(ValueError):
        parse_file_size("lots")


def test_markdown_is_rendered_and_sanitized():
    html = render.markdown("# Title\n\n<script>alert(1)</script><img src=x onerror=alert(1)>")
    assert "<h1>Title</h1>" in html
    assert "<script" not in html and "onerror" not in html
    assert 'class="n"' in render.markdown("```python\nx = 1\n```")  # pygments token classes


def test_app_forms():
    def a(): pass
    def b(): pass
    assert list(normalize_apps([a, b])) == ["a", "b", "index"]
    assert list(normalize_apps({"index": a, 2: b})) == ["index", "2"]
    assert normalize_apps(a)["index"] is a
    with pytest.raises(ValueError, match="two apps"):
        normalize_apps([a, a])
