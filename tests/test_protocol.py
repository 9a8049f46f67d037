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


def test_pin_messages_are_built_here_and_flow_events_are_refused_from_the_page():
    assert protocol.pin_values(["age"], "f3") == {"cmd": "pin_values", "names": ["age"],
                                                  "task": "f3"}
    assert protocol.pin_update("age", {"value": 3}) == {"cmd": "pin_update", "name": "age",
                                                        "attrs": {"value": 3}}
    assert protocol.pin_timeout_event("f3") == {"event": "pin_timeout", "task": "f3"}
    assert protocol.pin_change_event("f3", "age", 3) == {"event": "pin_change", "task": "f3",
                                                         "name": "age", "value": 3}
    # A page can not end someone's pin_wait_change early: the timeout is the server's own event.
    with pytest.raises(protocol.ProtocolError, match="unknown event 'pin_timeout'"):
        protocol.parse_event(json.dumps(protocol.pin_timeout_event("f3")))


@pytest.mark.parametrize("depth", [protocol.MAX_DEPTH + 1, 3000, 100_000])
def test_deeply_nested_messages_are_refused_like_any_invalid_message(depth):
    """Thousands of levels made json.loads raise RecursionError: the socket aborted with a
    traceback and HTTP answered 500. Refused here, for both transports."""
    nested = "[" * depth + "]" * depth
    with pytest.raises(protocol.ProtocolError, match="nested"):
        protocol.parse_event('{"event":"callback","id":"cb1","data":' + nested + "}")
    with pytest.raises(protocol.ProtocolError, match="nested"):
        protocol.parse_events(nested)
    inside = '{"a":' * depth + "1" + "}" * depth
    with pytest.raises(protocol.ProtocolError, match="nested"):
        protocol.parse_events("[" + '{"event":"js_result","task":"f1","data":' + inside + "}]")


def test_nesting_up_to_the_limit_is_accepted():
    depth = protocol.MAX_DEPTH - 1  # the event object itself is one level
    value = "[" * depth + "]" * depth
    event = protocol.parse_event('{"event":"js_result","task":"f1","data":' + value + "}")
    assert event["data"] is not None
