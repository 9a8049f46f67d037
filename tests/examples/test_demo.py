"""examples/demo.py, tested as a user would use it (webio_desktop.testing, no browser)."""
from __future__ import annotations

from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "demo.py"


def test_index_opens_the_other_apps(webio_user):
    user = webio_user.from_script(EXAMPLE)
    assert user.title == "webio-desktop demo"
    user.should_see("webio-desktop", role="heading")
    user.click("Open the counter in a new window")
    user.click("The counter, as a link to another app")
    user.wait_until(lambda: len(user.windows) == 3, "two counter windows")
    assert [w.app_name for w in user.windows] == ["index", "counter", "counter"]
    user.windows[1].should_see("Count: 0")
    user.click("Shopping list")  # in place
    user.should_see("Shopping list for")
    assert user.app_name == "shopping" and user.title == "Shopping list"


def test_bmi_validates_computes_and_goes_back(webio_user):
    user = webio_user.from_script(EXAMPLE, "bmi")
    user.should_see("Body mass index", role="heading")
    user.fill("Height (cm)", -5)
    user.wait_until(lambda: user.field("Height (cm)").message ==
                    "Please enter a positive number.", "the validation message")
    user.fill("Height (cm)", 180)
    user.fill("Weight (kg)", 75)
    user.submit()
    user.should_see("BMI 23.1: normal", role="status")
    user.fill("Height (cm)", 160)
    user.fill("Weight (kg)", 90)
    user.submit()
    user.should_see("BMI 35.2: obese", role="alert")
    user.cancel()
    user.should_see("Write a user interface like a console script")
    assert user.app_name == "index"


def test_shopping_list(webio_user):
    user = webio_user.from_script(EXAMPLE, "shopping")
    user.click("Add an item")
    user.submit()  # "What" is required
    user.wait_until(lambda: user.field("What").message == "This field is required.",
                    "the required message")
    user.fill("What", "Bread")
    user.fill("How many", 2)
    user.choose("Shop", "Bakery")
    user.check("Urgent")
    user.submit()
    assert user.table(scope="list") == [["What", "How many", "Shop", "Urgent"],
                                        ["Bread", "2", "Bakery", "yes"]]
    user.click("Add an item")
    user.cancel()
    user.click("Done")
    user.should_see("Write a user interface like a console script")


def test_counter_counts_and_reports_when_closed(webio_user, capfd):
    user = webio_user.from_script(EXAMPLE, "counter")
    user.click("+1")
    user.should_see("Count: 1")
    user.click("+1")
    user.should_see("Count: 2")
    user.click("-1")
    user.should_see("Count: 1")
    assert user.text("value") == "Count: 1"
    user.close()
    assert "counter window closed at 1" in capfd.readouterr().out
