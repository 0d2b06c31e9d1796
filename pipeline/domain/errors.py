"""The one exception type the CLI turns into a readable line and exit code 1."""


class GuetteurError(Exception):
    """A failure the user can act on; its message is one line that names what is wrong."""
