"""bottle (pywebview's HTTP server, unused with URLs) names every server it can adapt to; none
of them runs in a webio-desktop app. Apps importing one of them themselves still get it."""
excludedimports = ["uvloop", "aiohttp", "gevent", "eventlet", "twisted", "waitress", "paste",
                   "cherrypy", "cheroot", "bjoern", "meinheld", "gunicorn", "uvicorn", "mako",
                   "jinja2", "Cheetah"]
