"""The seed example: three apps that link to each other (run: webio-desktop examples/multi_app.py)."""
from webio_desktop import start_server
from webio_desktop.output import put_buttons, put_link, put_text
from webio_desktop.session import go_app


def task_1():
    put_text('task_1')
    put_buttons(['Go task 2'], [lambda: go_app('task_2')])


def task_2():
    put_text('task_2')
    put_buttons(['Go task 1'], [lambda: go_app('task_1')])


def index():
    put_link('Go task 1', app='task_1')
    put_link('Go task 2', app='task_2')


if __name__ == '__main__':
    start_server([index, task_1, task_2])   # or a dict {'index': index, ...}
