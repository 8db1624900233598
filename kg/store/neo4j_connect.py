"""Connecting to Neo4j: explicit settings, else env NEO4J_*, else the local install.

The driver it returns is verified (a refused password or a silent server gives a
one-line ``ServerError`` saying what to do).
"""
from __future__ import annotations

import os

from kg.store.neo4j_install import USER, ServerError, bolt_uri, password_file


def _local_settings() -> tuple[str, str, str | None, str]:
    try:
        password = password_file().read_text().strip()
    except FileNotFoundError:
        password = None
    return bolt_uri(), USER, password, str(password_file())


def connection_settings(uri: str | None = None, user: str | None = None,
                        password: str | None = None) -> dict:
    """uri/user/password: explicit values, else env NEO4J_URI/NEO4J_USER/NEO4J_PASSWORD, else the local install.

    ``password_source`` says where the password came from, for error messages.
    """
    local_uri, local_user, local_password, local_source = _local_settings()
    if password is not None:
        source = "the --password option"
    elif os.environ.get("NEO4J_PASSWORD"):
        password, source = os.environ["NEO4J_PASSWORD"], "env NEO4J_PASSWORD"
    else:
        password, source = local_password, local_source
    return {"uri": uri or os.environ.get("NEO4J_URI") or local_uri,
            "user": user or os.environ.get("NEO4J_USER") or local_user,
            "password": password, "password_source": source}


def local_settings() -> dict:
    """uri/user/password of the local install, whatever NEO4J_* says."""
    uri, user, password, source = _local_settings()
    return {"uri": uri, "user": user, "password": password, "password_source": source}


def connect_local():
    """A verified driver for the local install."""
    s = local_settings()
    return connect(s["uri"], s["user"], s["password"])


def auth_message(uri: str, user: str, source: str, exc: Exception | None = None) -> str:
    return (f"Neo4j at {uri} refused the password for user '{user}' (authentication failed); "
            f"the password came from {source}. Set NEO4J_PASSWORD or --password, or unset them "
            f"to use the local install's password in {password_file()}")


class UnchainedDriver:
    """A ``neo4j.Driver`` whose ``execute_query`` does not chain bookmarks (everything else is
    the driver's own).

    Bookmarks make a read wait until the server has the writes seen before. On our single
    server every committed write is visible at once, so they add nothing; and after a
    restore or a bulk import the database's transaction ids start lower again, so a driver
    holding bookmarks would wait for transactions that never come (BookmarkTimeout).
    ``bookmark_manager_=None`` is the driver's public switch for one call; this passes it
    on every call unless the caller gives another.
    """

    def __init__(self, driver):
        self.driver = driver

    def execute_query(self, query, parameters_=None, *args, **kwargs):
        kwargs.setdefault("bookmark_manager_", None)
        return self.driver.execute_query(query, parameters_, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.driver, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.driver.close()


def connect(uri: str | None = None, user: str | None = None, password: str | None = None):
    """A verified ``neo4j.Driver``; raises ServerError with a one-line reason otherwise."""
    from neo4j import GraphDatabase
    from neo4j.exceptions import AuthError, ServiceUnavailable

    s = connection_settings(uri, user, password)
    if s["password"] is None:
        raise ServerError(f"no Neo4j password: set NEO4J_PASSWORD, or run `citykg neo4j install` "
                          f"to create the local server (its password goes to {password_file()})")
    driver = GraphDatabase.driver(s["uri"], auth=(s["user"], s["password"]))
    try:
        driver.verify_connectivity()
    except AuthError as exc:
        driver.close()
        raise ServerError(auth_message(s["uri"], s["user"], s["password_source"], exc)) from None
    except (ServiceUnavailable, OSError, ValueError) as exc:
        driver.close()
        hint = "; start the local one with `citykg neo4j start`" if s["uri"] == bolt_uri() else ""
        raise ServerError(f"no Neo4j server answers at {s['uri']}{hint} ({type(exc).__name__})") from None
    return UnchainedDriver(driver)
