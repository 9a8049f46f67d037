"""Every public name of PyWebIO's module map exists in webio_desktop with PyWebIO's signature
(parameter names, kinds and defaults), from the table below: PyWebIO 1.8.4's public modules,
API and deployment functions, as its documentation and ``inspect.signature`` of an installed
``pywebio==1.8.4`` give them. No browser."""
from __future__ import annotations

import importlib
import inspect

import pytest

# Our one addition to PyWebIO's server signatures (issue 13): the limit on output a session
# holds for a page that is not taking it (docs/limits.md). Keyword, last before **settings.
_PENDING = "max_pending_output=None, "

# Names referenced by the signatures below.
_NAMES = {"TEXT": "text"}

# module (without the webio_desktop prefix) -> {name: signature, or None for a non-callable}
SIGNATURES: dict[str, dict[str, str | None]] = {
    "": {
        "input": None, "output": None, "platform": None, "session": None, "pin": None,
        "STATIC_PATH": None, "SessionException": None, "SessionClosedException": None,
        "SessionNotFoundException": None, "__version__": None, "__author__": None,
        "__author_email__": None, "__license__": None, "__description__": None, "__url__": None,
        "enable_debug": "(level=None)",
        "config": "(*, title=None, description=None, theme=None, js_code=None, js_file=[], "
                  "css_style=None, css_file=[], manifest=True)",
        "start_server": "(applications, port=0, host='', debug=False, cdn=True, static_dir=None, "
                        "remote_access=False, reconnect_timeout=0, allowed_origins=None, "
                        "check_origin=None, auto_open_webbrowser=False, max_payload_size='200M', "
                        f"{_PENDING}**tornado_app_settings)",
    },
    "input": {
        **{c: None for c in "TEXT NUMBER FLOAT PASSWORD URL DATE TIME COLOR DATETIME_LOCAL "
                            "DATETIME CHECKBOX RADIO SELECT TEXTAREA".split()},
        "input": "(label='', type=TEXT, *, validate=None, name=None, value=None, action=None, "
                 "onchange=None, placeholder=None, required=None, readonly=None, datalist=None, "
                 "help_text=None, **other_html_attrs)",
        "textarea": "(label='', *, rows=6, code=None, maxlength=None, minlength=None, "
                    "validate=None, name=None, value=None, onchange=None, placeholder=None, "
                    "required=None, readonly=None, help_text=None, **other_html_attrs)",
        "select": "(label='', options=None, *, multiple=None, validate=None, name=None, "
                  "value=None, onchange=None, native=True, required=None, help_text=None, "
                  "**other_html_attrs)",
        "checkbox": "(label='', options=None, *, inline=None, validate=None, name=None, "
                    "value=None, onchange=None, help_text=None, **other_html_attrs)",
        "radio": "(label='', options=None, *, inline=None, validate=None, name=None, value=None, "
                 "onchange=None, required=None, help_text=None, **other_html_attrs)",
        "actions": "(label='', buttons=None, name=None, help_text=None)",
        "file_upload": "(label='', accept=None, name=None, placeholder='Choose file', "
                       "multiple=False, max_size=0, max_total_size=0, required=None, "
                       "help_text=None, **other_html_attrs)",
        "slider": "(label='', *, name=None, value=0, min_value=0, max_value=100, step=1, "
                  "validate=None, onchange=None, required=None, help_text=None, "
                  "**other_html_attrs)",
        "input_group": "(label='', inputs=None, validate=None, cancelable=False)",
        "input_update": "(name=None, **spec)",
    },
    "output": {
        "Position": None, "OutputPosition": None, "PopupSize": None, "Output": None,
        "OutputList": None,
        "JSFunction": "(*params_and_body)",
        "put_scope": "(name, content=[], scope=None, position=-1)",
        "use_scope": "(name=None, clear=False, **kwargs)",
        "set_scope": "(name, container_scope=None, position=-1, if_exist=None)",
        "get_scope": "(stack_idx=-1)",
        "clear": "(scope=None)", "clear_scope": "(scope=None)", "remove": "(scope=None)",
        "scroll_to": "(scope=None, position='top')",
        "put_text": "(*texts, sep=' ', inline=False, scope=None, position=-1)",
        "put_markdown": "(mdcontent, lstrip=True, options=None, sanitize=True, scope=None, "
                        "position=-1, **kwargs)",
        **{f"put_{kind}": "(*contents, closable=False, scope=None, position=-1)"
           for kind in ("info", "success", "warning", "error")},
        "put_html": "(html, sanitize=False, scope=None, position=-1)",
        "put_link": "(name, url=None, app=None, new_window=False, scope=None, position=-1)",
        "put_progressbar": "(name, init=0, label=None, auto_close=False, scope=None, position=-1)",
        "put_processbar": "(name, init=0, label=None, auto_close=False, scope=None, position=-1)",
        "set_progressbar": "(name, value, label=None)",
        "set_processbar": "(name, value, label=None)",
        "put_loading": "(shape='border', color='dark', scope=None, position=-1)",
        "put_code": "(content, language='', rows=None, scope=None, position=-1)",
        "put_table": "(tdata, header=None, scope=None, position=-1)",
        "span": "(content, row=1, col=1)",
        "put_buttons": "(buttons, onclick, small=None, link_style=False, outline=False, "
                       "group=False, scope=None, position=-1, **callback_options)",
        "put_button": "(label, onclick, color=None, small=None, link_style=False, outline=False, "
                      "disabled=False, scope=None, position=-1)",
        "put_image": "(src, format=None, title='', width=None, height=None, scope=None, "
                     "position=-1)",
        "put_file": "(name, content, label=None, scope=None, position=-1)",
        "put_tabs": "(tabs, scope=None, position=-1)",
        "put_collapse": "(title, content=[], open=False, scope=None, position=-1)",
        "put_scrollable": "(content=[], height=400, keep_bottom=False, border=True, scope=None, "
                          "position=-1, **kwargs)",
        "put_widget": "(template, data, scope=None, position=-1)",
        "put_datatable": "(records, actions=None, onselect=None, multiple_select=False, "
                         "id_field=None, height=600, theme='balham', cell_content_bar=True, "
                         "instance_id='', column_order=None, column_args=None, grid_args=None, "
                         "enterprise_key='', scope=None, position=-1)",
        "datatable_update": "(instance_id, data, row_id=None, field=None)",
        "datatable_insert": "(instance_id, records, row_id=None)",
        "datatable_remove": "(instance_id, row_ids)",
        "toast": "(content, duration=2, position='center', color='info', onclick=None)",
        "popup": "(title, content=None, size='normal', implicit_close=True, closable=True)",
        "close_popup": "()",
        "put_row": "(content=[], size=None, scope=None, position=-1)",
        "put_column": "(content=[], size=None, scope=None, position=-1)",
        "put_grid": "(content, cell_width='auto', cell_height='auto', cell_widths=None, "
                    "cell_heights=None, direction='row', scope=None, position=-1)",
        "style": "(outputs, css_style)",
        "output": "(*contents)",
    },
    "pin": {
        "pin": None,
        "put_input": "(name, type='text', *, label='', value=None, placeholder=None, "
                     "readonly=None, datalist=None, help_text=None, scope=None, position=-1)",
        "put_textarea": "(name, *, label='', rows=6, code=None, maxlength=None, minlength=None, "
                        "value=None, placeholder=None, readonly=None, help_text=None, "
                        "scope=None, position=-1)",
        "put_select": "(name, options=None, *, label='', multiple=None, value=None, native=None, "
                      "help_text=None, scope=None, position=-1)",
        "put_checkbox": "(name, options=None, *, label='', inline=None, value=None, "
                        "help_text=None, scope=None, position=-1)",
        "put_radio": "(name, options=None, *, label='', inline=None, value=None, help_text=None, "
                     "scope=None, position=-1)",
        "put_slider": "(name, *, label='', value=0, min_value=0, max_value=100, step=1, "
                      "required=None, help_text=None, scope=None, position=-1)",
        "put_actions": "(name, *, label='', buttons=None, help_text=None, scope=None, "
                       "position=-1)",
        "put_file_upload": "(name, *, label='', accept=None, placeholder='Choose file', "
                           "multiple=False, max_size=0, max_total_size=0, help_text=None, "
                           "scope=None, position=-1)",
        "pin_update": "(name, **spec)",
        "pin_wait_change": "(*names, timeout=None)",
        "pin_on_change": "(name, onchange=None, clear=False, init_run=False, **callback_options)",
        "get_pin_values": "(names)",
    },
    "session": {
        "local": None, "info": None, "Session": None, "ThreadBasedSession": None,
        "ScriptModeSession": None, "CoroutineBasedSession": None,
        "run_async": "(coro_obj)", "run_asyncio_coroutine": "(coro_obj)",
        "register_thread": "(thread)", "hold": "()", "defer_call": "(func)",
        "run_js": "(code_, **args)", "eval_js": "(expression_, **args)",
        "download": "(name, content)", "set_env": "(**env)",
        "go_app": "(name, new_window=True)", "data": "()", "get_info": "()",
        "get_current_session": "()", "get_current_task_id": "()",
    },
    "platform": {
        "config": "(*, title=None, description=None, theme=None, js_code=None, js_file=[], "
                  "css_style=None, css_file=[], manifest=True)",
        "seo": "(title, description=None, app=None)",
        "run_event_loop": "(debug=False)",
        "start_server": "(applications, port=0, host='', debug=False, cdn=True, static_dir=None, "
                        "remote_access=False, reconnect_timeout=0, allowed_origins=None, "
                        "check_origin=None, auto_open_webbrowser=False, max_payload_size='200M', "
                        f"{_PENDING}**tornado_app_settings)",
        "path_deploy": "(base, port=0, host='', index=True, static_dir=None, reconnect_timeout=0, "
                       "cdn=True, debug=False, allowed_origins=None, check_origin=None, "
                       "max_payload_size='200M', **tornado_app_settings)",
        "path_deploy_http": "(base, port=0, host='', index=True, static_dir=None, cdn=True, "
                            "debug=False, allowed_origins=None, check_origin=None, "
                            "session_expire_seconds=None, session_cleanup_interval=None, "
                            "max_payload_size='200M', **tornado_app_settings)",
    },
    "exceptions": {"SessionException": None, "SessionClosedException": None,
                   "SessionNotFoundException": None, "PyWebIOWarning": None},
    "utils": {
        "STATIC_PATH": None,
        "pyinstaller_datas": "(cli_args=False)",
        "run_as_function": "(gen)", "to_coroutine": "(gen)",
        "wait_host_port": "(host, port, duration=10, delay=2)",
        "get_free_port": "()", "random_str": "(length=16)", "parse_file_size": "(size)",
        "iscoroutinefunction": "(func)", "isgeneratorfunction": "(func)",
        "get_function_name": "(func, default=None)", "get_function_doc": "(func)",
    },
}


_START_HTTP = ("(applications, port=8080, host='', cdn=True, static_dir=None, remote_access=False, "
               "allowed_origins=None, check_origin=None, session_expire_seconds=None, "
               "session_cleanup_interval=None, debug=False, max_payload_size='200M', "
               + _PENDING + "**{})")
# ... plus max_payload_size at the end (ours: the body limit PyWebIO's view could not set).
_VIEW = ("(applications, cdn=True, session_expire_seconds=None, session_cleanup_interval=None, "
         "allowed_origins=None, check_origin=None, max_pending_output=None, "
         "max_payload_size='200M')")

# The framework integrations: platform submodule -> {name: signature}.
PLATFORM_SIGNATURES: dict[str, dict[str, str]] = {
    "tornado": {
        "start_server": SIGNATURES["platform"]["start_server"],
        "webio_handler": "(applications, cdn=True, reconnect_timeout=0, allowed_origins=None, "
                         "check_origin=None, max_pending_output=None)",
    },
    "path_deploy": {
        "path_deploy": SIGNATURES["platform"]["path_deploy"],
        "path_deploy_http": SIGNATURES["platform"]["path_deploy_http"],
    },
    "tornado_http": {
        "start_server": "(applications, port=8080, host='', debug=False, cdn=True, "
                        "static_dir=None, allowed_origins=None, check_origin=None, "
                        "auto_open_webbrowser=False, session_expire_seconds=None, "
                        "session_cleanup_interval=None, max_payload_size='200M', "
                        f"{_PENDING}**tornado_app_settings)",
        "webio_handler": "(applications, cdn=True, session_expire_seconds=None, "
                         "session_cleanup_interval=None, allowed_origins=None, check_origin=None, "
                         "max_pending_output=None)",
    },
    "aiohttp": {
        "start_server": "(applications, port=0, host='', debug=False, cdn=True, static_dir=None, "
                        "remote_access=False, reconnect_timeout=0, allowed_origins=None, "
                        "check_origin=None, auto_open_webbrowser=False, max_payload_size='200M', "
                        f"websocket_settings=None, {_PENDING}**aiohttp_settings)",
        "webio_handler": "(applications, cdn=True, reconnect_timeout=0, allowed_origins=None, "
                         "check_origin=None, max_payload_size='200M', websocket_settings=None, "
                         "max_pending_output=None)",
        "static_routes": "(prefix='/')",
    },
    "flask": {
        "start_server": _START_HTTP.replace("{}", "flask_options"),
        "webio_view": _VIEW,
        "wsgi_app": "(applications, cdn=True, static_dir=None, allowed_origins=None, "
                    "check_origin=None, session_expire_seconds=None, "
                    "session_cleanup_interval=None, max_payload_size='200M', "
                    "max_pending_output=None)",
        "run_event_loop": "(debug=False)",
    },
    "django": {
        "start_server": _START_HTTP.replace("{}", "django_options"),
        "webio_view": _VIEW,
        "wsgi_app": "(applications, cdn=True, static_dir=None, allowed_origins=None, "
                    "check_origin=None, session_expire_seconds=None, "
                    "session_cleanup_interval=None, debug=False, max_payload_size='200M', "
                    f"{_PENDING}**django_options)",
        "run_event_loop": "(debug=False)",
    },
    "fastapi": {
        "start_server": "(applications, port=0, host='', cdn=True, reconnect_timeout=0, "
                        "static_dir=None, remote_access=False, debug=False, allowed_origins=None, "
                        "check_origin=None, auto_open_webbrowser=False, max_payload_size='200M', "
                        f"{_PENDING}**uvicorn_settings)",
        "webio_routes": "(applications, cdn=True, reconnect_timeout=0, allowed_origins=None, "
                        "check_origin=None, max_pending_output=None)",
        "asgi_app": "(applications, cdn=True, reconnect_timeout=0, static_dir=None, debug=False, "
                    "allowed_origins=None, check_origin=None, max_pending_output=None)",
    },
}
# Ours, not PyWebIO's: the servers we run and the apps we build take ``allowed_hosts`` (the
# Host rule against DNS rebinding), appended after PyWebIO's parameters (before ``**``).
WITH_ALLOWED_HOSTS = {
    "": ["start_server"], "platform": ["start_server", "path_deploy", "path_deploy_http"],
    "platform.tornado": ["start_server"],
    "platform.path_deploy": ["path_deploy", "path_deploy_http"],
    "platform.tornado_http": ["start_server"], "platform.aiohttp": ["start_server"],
    "platform.flask": ["start_server", "wsgi_app"], "platform.django": ["start_server", "wsgi_app"],
    "platform.fastapi": ["start_server", "asgi_app"],
}


# And ``prerender`` (issue 16: the first output in the page's HTML, opt-in), after that, on
# Tornado's start_server (the one that serves pages from its own sessions).
WITH_PRERENDER = {"": ["start_server"], "platform": ["start_server"],
                  "platform.tornado": ["start_server"]}


def with_allowed_hosts(signature: str, extra: str = "") -> str:
    star = signature.find(", **")
    at = star if star >= 0 else len(signature) - 1
    return signature[:at] + ", allowed_hosts=None" + extra + signature[at:]


# Every integration must import here (the test run installs every framework extra).
REQUIRED_PLATFORM_MODULES = sorted(PLATFORM_SIGNATURES)


def _expected(signature: str) -> inspect.Signature:
    namespace = dict(_NAMES)
    exec(f"def _f{signature}: pass", namespace)  # the table is ours: trusted text
    return inspect.signature(namespace["_f"])


def _shape(signature: inspect.Signature) -> list[tuple]:
    """Name, kind and default of each parameter; empty sequences count as equal ([] vs ())."""
    shape = []
    for p in signature.parameters.values():
        default = p.default
        if isinstance(default, (list, tuple)) and not default:
            default = "<empty sequence>"
        shape.append((p.name, p.kind.name, default))
    return shape


def _check(module_name: str, table: dict[str, str | None]) -> None:
    module = importlib.import_module(module_name)
    missing = [name for name in table if not hasattr(module, name)]
    assert not missing, f"{module_name} lacks {missing}"
    short = module_name.removeprefix("webio_desktop").lstrip(".")
    ours = WITH_ALLOWED_HOSTS.get(short, [])
    for name, signature in table.items():
        if signature is None:
            continue
        if name in ours:
            extra = ", prerender=None" if name in WITH_PRERENDER.get(short, []) else ""
            signature = with_allowed_hosts(signature, extra)
        actual = inspect.signature(getattr(module, name))
        assert _shape(actual) == _shape(_expected(signature)), \
            f"{module_name}.{name}{actual} differs from PyWebIO's {signature}"


@pytest.mark.parametrize("module", sorted(SIGNATURES))
def test_module_map_names_and_signatures(module):
    _check("webio_desktop" + (f".{module}" if module else ""), SIGNATURES[module])


def test_required_platform_modules_exist():
    for name in REQUIRED_PLATFORM_MODULES:
        importlib.import_module(f"webio_desktop.platform.{name}")


@pytest.mark.parametrize("module", REQUIRED_PLATFORM_MODULES)
def test_platform_module_signatures(module):
    _check(f"webio_desktop.platform.{module}", PLATFORM_SIGNATURES[module])


def test_from_webio_desktop_import_star_binds_the_modules():
    namespace: dict = {}
    exec("from webio_desktop import *", namespace)
    for name in ("input", "output", "platform", "session", "pin", "start_server", "config"):
        assert name in namespace, name
