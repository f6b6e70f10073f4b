#!/usr/bin/python3
"""A small issue tracker in aiohttp + SQLAlchemy with the three bugs leakgate was born from.

    seed_tracker.py PORT DBFILE [--engine-per-tick] [--session-per-call] [--no-cleanup]

GET /health answers 200. GET /issues lists issues and, like the seed's IPC call, asks a peer
(our own /health) over an aiohttp ClientSession. GET /sync runs one sync tick (the seed ran
it every 5 s; here a step runs it, so it happens once per iteration). Without flags it is the
clean twin: one engine and one client session for the daemon's life, both closed on stop.

  --engine-per-tick    sync_tick() makes a new SQLAlchemy engine each time and keeps it
  --session-per-call   each /issues opens a ClientSession and never closes it
  --no-cleanup         on stop, the shared session and engine are left open

Debian's python3-aiohttp (3.8) and python3-sqlalchemy (1.4). Scenarios:
scenarios/foreign/seed-*.yaml (daemon: {python: true}).
"""

import sys

import aiohttp
import sqlalchemy
from aiohttp import web

KEPT_ENGINES = []  # the seed's module-level registry of "current" engines


def make_engine(dbfile):
    return sqlalchemy.create_engine("sqlite:///" + dbfile)


async def sync_tick(app):
    if app["flags"].engine_per_tick:
        engine = make_engine(app["dbfile"])  # the seed bug: a new engine on every tick
        KEPT_ENGINES.append(engine)
    else:
        engine = app["engine"]
    with engine.connect() as connection:
        connection.execute(sqlalchemy.text("SELECT count(*) FROM issues")).scalar()


async def call_peer(app):
    if app["flags"].session_per_call:
        session = aiohttp.ClientSession()  # the seed bug: a session per call, never closed
        app["sessions"].append(session)
    else:
        session = app["session"]
    async with session.get(app["peer"]) as response:
        await response.read()


async def issues(request):
    app = request.app
    await call_peer(app)
    with app["engine"].connect() as connection:
        rows = connection.execute(sqlalchemy.text("SELECT id, title FROM issues")).fetchall()
    return web.json_response([{"id": r[0], "title": r[1]} for r in rows])


async def sync(request):
    await sync_tick(request.app)
    return web.Response(text="synced\n")


async def health(request):
    return web.Response(text="ok\n")


async def start(app):
    app["session"] = aiohttp.ClientSession()
    app["sessions"] = []


async def cleanup(app):
    if app["flags"].no_cleanup:
        return  # the seed bug: no async cleanup at shutdown
    await app["session"].close()
    for session in app["sessions"]:
        await session.close()
    app["engine"].dispose()
    for engine in KEPT_ENGINES:
        engine.dispose()


class Flags:
    def __init__(self, args):
        self.engine_per_tick = "--engine-per-tick" in args
        self.session_per_call = "--session-per-call" in args
        self.no_cleanup = "--no-cleanup" in args


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(args) != 2:
        sys.exit(__doc__)
    port, dbfile = int(args[0]), args[1]
    app = web.Application()
    app["flags"] = Flags(sys.argv[1:])
    app["dbfile"] = dbfile
    app["peer"] = "http://127.0.0.1:%d/health" % port
    app["engine"] = make_engine(dbfile)
    with app["engine"].begin() as connection:
        connection.execute(sqlalchemy.text(
            "CREATE TABLE IF NOT EXISTS issues (id INTEGER PRIMARY KEY, title TEXT)"))
        connection.execute(sqlalchemy.text("INSERT INTO issues (title) VALUES ('seed')"))
    app.on_startup.append(start)
    app.on_cleanup.append(cleanup)
    app.router.add_get("/health", health)
    app.router.add_get("/issues", issues)
    app.router.add_get("/sync", sync)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


if __name__ == "__main__":
    main()
