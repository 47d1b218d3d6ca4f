"""Fixtures of the documentation tests: the demo store is the session's shared one
(``demo_store_file`` in tests/conftest.py, built once by ``kekiz demo``)."""
