# The entry script of a webio-desktop build, written by `webio-desktop build` from the template
# webio_desktop/desktop/templates/entry.py. It starts the bundled app file through the same
# launcher as `webio-desktop app.py` (webio_desktop/desktop/frozen.py).
import sys

from webio_desktop.desktop.frozen import run_frozen

if __name__ == "__main__":
    sys.exit(run_frozen(@APP_FILE@, engine=@ENGINE@))

if False:  # lets PyInstaller's analysis see the app's own imports
    import @MODULE@  # noqa: F401
