"""Parts of the :class:`kekiz.monitor.Monitor` facade, one module per capability."""
