"""The API as the daemon runs it: database thread, hashing threads, app and server."""

from __future__ import annotations

from connext.actors.directory import Directory
from connext.core.clock import Clock
from connext.core.config import Config, parse_listen

from .accounts import KDF, Kdf, LoginPolicy
from .app import build_app
from .context import ApiContext
from .operations import Runtime
from .server import ApiServer
from .workers import Database, Hasher


class ApiService:
    """`ApiService(config, directory, clock).start()`, then `stop()`; `url` once started."""

    def __init__(self, config: Config, directory: Directory, clock: Clock, kdf: Kdf = KDF) -> None:
        self.db = Database(config.storage.path, clock, LoginPolicy.from_config(config.api), kdf)
        self.hasher = Hasher(kdf)
        self.ctx = ApiContext(Runtime(config, directory, clock), config.api, self.db, self.hasher)
        self.app = build_app(self.ctx)
        self.host, self.requested_port = parse_listen(config.api.listen)
        self.server: ApiServer | None = None

    @property
    def url(self) -> str:
        return self.server.url if self.server else ""

    def start(self) -> ApiService:
        self.db.open()
        try:
            self.server = ApiServer(self.app, self.host, self.requested_port)
            self.server.start()
        except OSError:
            self.db.close()
            self.hasher.close()
            raise
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
        self.hasher.close()
        self.db.close()
