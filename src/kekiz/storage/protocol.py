"""The store contract (interim: the SQL store class itself until the protocol lands)."""

from kekiz.storage.store import Store, Writer

__all__ = ["Store", "Writer"]
