"""kekiz.web: pages, REST API and OGC API - Features over the application's services (issue #8)."""

from kekiz.web.app import app_from_env, create_app

__all__ = ["app_from_env", "create_app"]
