"""``python -m kekiz ARGS`` in the test process (issue #17: no fresh interpreter per call).

:func:`run_kekiz` calls the real entry point :func:`kekiz.cli.main.run` with ``ARGS`` as
``sys.argv`` and the given environment as ``os.environ``, catches what it prints and its
exit code, and returns them as a :class:`subprocess.CompletedProcess` (so that a test
written against a subprocess reads the same).  Tests whose point is a separate process
(start-up, signals, a server, a reader's terminal) keep using a subprocess.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
import traceback
from collections.abc import Iterator, Mapping, Sequence


@contextlib.contextmanager
def _environ(env: Mapping[str, str] | None) -> Iterator[None]:
    if env is None:
        yield
        return
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def run_kekiz(args: Sequence[str], *, env: Mapping[str, str] | None = None,
              columns: int = 250) -> subprocess.CompletedProcess[str]:
    """Run ``kekiz ARGS`` in-process; ``env`` replaces the environment for the call and
    ``columns`` is the terminal width (the ``COLUMNS`` a subprocess would get)."""
    from kekiz.cli import context, main

    stdout, stderr = io.StringIO(), io.StringIO()
    consoles = (context.out, context.err)
    widths = [c._width for c in consoles]
    argv = sys.argv
    code = 0
    try:
        for console in consoles:
            console.width = columns
        sys.argv = ["kekiz", *map(str, args)]
        with (_environ(env), contextlib.redirect_stdout(stdout),
              contextlib.redirect_stderr(stderr)):
            try:
                main.run()
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            except Exception:  # what an uncaught error does to a process
                traceback.print_exc()
                code = 1
    finally:
        sys.argv = argv
        for console, width in zip(consoles, widths, strict=True):
            console._width = width
    return subprocess.CompletedProcess(["kekiz", *map(str, args)], code, stdout.getvalue(),
                                       stderr.getvalue())
