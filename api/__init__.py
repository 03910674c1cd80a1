"""The local HTTP API and web page: accounts and roles (`accounts/`), the FastAPI app
(`app.py` and the `routes_*` modules), the server thread the daemon starts (`server.py`)
and the static page (`web/`)."""
