# The one-file stub of a webio-desktop build, written by `webio-desktop build --onefile` from the
# template webio_desktop/desktop/templates/stub.py: it unpacks the one-folder build it carries
# into the user's cache once per version and runs it from there (webio_onefile.py, a copy of
# webio_desktop/desktop/onefile.py).
import sys

from webio_onefile import run

if __name__ == "__main__":
    sys.exit(run(@NAME@))
