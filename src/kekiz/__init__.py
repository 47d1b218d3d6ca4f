"""kekiz — Kein Kind zurücklassen!: Leitbild, Präventionskette und sozialräumliches Monitoring."""

__version__ = "0.1.0"
__all__ = ["__version__"]
