"""Script mode in a window: no start_server, the script's own outputs and inputs.

``webio-desktop examples/desktop_script.py``
"""
from pywebio.input import input
from pywebio.output import put_text
from pywebio.session import set_env

set_env(title="Greeter")
put_text("Script mode: hello!")
name = input("Your name?")
put_text(f"Nice to meet you, {name}.")
