"""Entry point for production servers: gunicorn 'wsgi:app'."""

import gc

from app import create_app
from core.db import get_engine
from core.scheduler import start_scheduler
from core.startup import startup_checks

app = create_app()
startup_checks(app)
# with `gunicorn --preload` workers fork from this process: they must not share its connections
get_engine(app).dispose()
# every worker runs a scheduler (with --preload, the master alone); each job occurrence is
# claimed by one of them only
start_scheduler(app)
# what start-up built (modules, the app, mappers, catalogs) lives as long as the process: keep
# it out of the collector's full collections, which otherwise walk all of it whenever a request
# allocates many objects (a dashboard over a province's depot-items, say)
gc.freeze()
