"""The capabilities of kekiz, one service class per capability.

Each service is built from the store and the settings; what it needs of another service it
receives as a constructor argument. :class:`kekiz.app.Kekiz` composes them; the command
line and the web application only talk to that application object.
"""
