# Runtime hook of the app inside a webio-desktop one file (Linux), written by `webio-desktop
# build --onefile` from the template webio_desktop/desktop/templates/rth_onefile.py. It runs
# before any other code of the app, PyInstaller's own runtime hooks included: a first start
# runs the app while its web engine's files are still being unpacked, and the gate installed
# here holds the app's first import of an engine module until they are whole
# (webio_onefile.py: a copy of webio_desktop/desktop/onefile.py).
import webio_onefile

webio_onefile.install_engine_gate()
