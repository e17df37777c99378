"""Calling the CLI in-process and reading what it said: the usage and runtime errors the tests expect."""

import pytest

from shootout.cli import main


def usage_error(args, capsys) -> str:
    """Run ``shootout ARGS``, expect exit status 2 and no traceback; the last line on stderr."""
    with pytest.raises(SystemExit) as caught:
        main(args)
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return err.strip().splitlines()[-1]


def runtime_error(args, capsys) -> str:
    """Run ``shootout ARGS``, expect exit status 1 and one ``error:`` line without a traceback."""
    assert main(args) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("error: ") and not any("Traceback" in line for line in err)
    return err[-1]
