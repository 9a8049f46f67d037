"""Collect what webio_desktop loads by file or by name at run time: the front end (static/), the
window icons, and the modules imported lazily (rendering libraries, pygments' lexers, the Qt
window backend). The build tooling and the test harness (``testing``, which imports pytest)
stay out."""
from PyInstaller.utils.hooks import collect_data_files, collect_submodules

from webio_desktop._pyinstaller import FRAMEWORK_INTEGRATIONS

datas = collect_data_files("webio_desktop", includes=["static/**/*", "desktop/icons/*.png"])
hiddenimports = [
    *collect_submodules("webio_desktop", filter=lambda name: not name.startswith(
        ("webio_desktop._pyinstaller", "webio_desktop.desktop.build", "webio_desktop.testing",
         *FRAMEWORK_INTEGRATIONS))),
    *collect_submodules("pygments.lexers"),
    *collect_submodules("pygments.formatters"),
    *collect_submodules("pygments.styles"),
    # cmarkgfm's C extension loads cffi's backend itself, out of PyInstaller's sight.
    *collect_submodules("cmarkgfm"), "_cffi_backend",
    "nh3", "user_agents", "platformdirs",
]
