"""Entry script of our own ``webio-desktop`` shell executable (built by packaging/build_shell.py).

Not a module of the package and never imported: PyInstaller freezes this file. The frozen
command is the same ``webio_desktop.desktop.cli.main`` as the pip-installed ``webio-desktop``
command, so ``webio-desktop app.py`` behaves the same; it runs scripts that need only the
standard library, webio_desktop and what the shell bundles (``build`` needs a real Python with
the ``build`` extra and is not offered by the frozen shell).
"""
import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()  # child processes of a frozen app must not re-run it
    if sys.argv[1:2] == ["build"]:
        sys.exit("webio-desktop build needs Python: pip install 'webio-desktop[build]'")
    from webio_desktop.desktop.cli import main

    sys.exit(main())
