"""carpool: Python functions -> web app + HTTP API with a batching queue."""

__version__ = "0.1.0"
