"""The command line's refusal, in a module of its own: `python -m certflow.cli` loads cli.py as
`__main__`, and a second import of it by a command would make a second, uncaught CliError class."""


class CliError(Exception):
    """A refusal to report as `certflow: <message>` with exit code 2."""
