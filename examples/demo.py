"""webio-desktop demo: a small tour of the framework.

Run it with `scripts/demo.sh` (a native window), or `python examples/demo.py` (a browser tab).
"""
from datetime import date

from webio_desktop import config, start_server
from webio_desktop.input import FLOAT, NUMBER, actions, checkbox, input, input_group, select
from webio_desktop.output import (put_buttons, put_code, put_error, put_link, put_markdown,
                                  put_row, put_scope, put_success, put_table, put_text, toast,
                                  use_scope)
from webio_desktop.session import defer_call, go_app, set_env


@config(title="webio-desktop demo")
def index():
    """webio-desktop demo

    Forms, tables, markdown, callbacks and several apps, written like a console script."""
    put_markdown("""
    # webio-desktop

    Write a user interface **like a console script**: every `put_*` call shows something,
    every input call waits for the answer. Everything below runs on this machine, offline.
    """)
    put_row([
        put_buttons(["BMI calculator"], [lambda: go_app("bmi", new_window=False)]),
        put_buttons(["Shopping list"], [lambda: go_app("shopping", new_window=False)]),
        put_buttons(["Open the counter in a new window"], [lambda: go_app("counter")]),
    ], size="auto auto 1fr")
    put_code("""from webio_desktop.input import input, FLOAT
from webio_desktop.output import put_text

height = input("Your height (cm)", type=FLOAT)
weight = input("Your weight (kg)", type=FLOAT)
put_text(f"BMI: {weight / (height / 100) ** 2:.1f}")""", language="python")
    put_link("The counter, as a link to another app", app="counter", new_window=True)


@config(title="BMI calculator")
def bmi():
    """BMI calculator"""
    put_markdown("## Body mass index")
    while True:
        data = input_group("Your measurements", [
            input("Height (cm)", name="height", type=FLOAT, validate=_positive),
            input("Weight (kg)", name="weight", type=FLOAT, validate=_positive),
        ], cancelable=True)
        if data is None:
            go_app("index", new_window=False)
            return
        value = data["weight"] / (data["height"] / 100) ** 2
        verdict = next(label for limit, label in [(18.5, "underweight"), (25, "normal"),
                                                  (30, "overweight"), (1e9, "obese")]
                       if value < limit)
        (put_success if verdict == "normal" else put_error)(f"BMI {value:.1f}: {verdict}")


def _positive(value):
    if value is None or value <= 0:
        return "Please enter a positive number."
    return None


@config(title="Shopping list")
def shopping():
    """Shopping list"""
    items = []
    put_markdown(f"## Shopping list for {date.today():%A %d %B}")
    put_scope("list")
    while True:
        action = actions("", ["Add an item", "Done"])
        if action == "Done":
            break
        item = input_group("New item", [
            input("What", name="what", required=True),
            input("How many", name="count", type=NUMBER, value=1),
            select("Shop", name="shop", options=["Market", "Bakery", "Pharmacy"]),
            checkbox("", name="urgent", options=["Urgent"]),
        ], cancelable=True)
        if item is None:
            continue
        items.append([item["what"], item["count"], item["shop"], "yes" if item["urgent"] else ""])
        with use_scope("list", clear=True):
            put_table(items, header=["What", "How many", "Shop", "Urgent"])
    toast(f"{len(items)} item(s) on the list")
    go_app("index", new_window=False)


@config(title="Counter")
def counter():
    """Counter

    Buttons with callbacks: the app function returns, the session stays for the buttons."""
    set_env(title="Counter")
    count = [0]
    defer_call(lambda: print(f"counter window closed at {count[0]}"))

    def change(delta):
        count[0] += delta
        with use_scope("value", clear=True):
            put_text(f"Count: {count[0]}")

    put_scope("value", [put_text("Count: 0")])
    put_buttons([("-1", -1), ("+1", 1)], onclick=change)


if __name__ == "__main__":
    start_server([index, bmi, shopping, counter], port=8080, auto_open_webbrowser=True)
