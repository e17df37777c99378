"""tests/README.md names only tests that exist: each `file.py` it cites is a file, each `file.py::name` a test in it."""

import ast
import re
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
# `test_x.py` or `test_x.py::test_name`, as the README's tables cite them
REFERENCES = re.findall(r"`(test_\w+\.py)(?:::(\w+))?`", (TESTS / "README.md").read_text(encoding="utf-8"))


def _module_level_names(file: Path) -> set[str]:
    """The functions and classes a test file defines at module level (what pytest collects by name)."""
    tree = ast.parse(file.read_text(encoding="utf-8"))
    return {node.name for node in tree.body if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)}


def test_the_readme_cites_tests_in_the_form_this_check_reads():
    assert sum(1 for _, name in REFERENCES if name) >= 10, REFERENCES


@pytest.mark.parametrize(("file", "name"), sorted(set(REFERENCES)), ids=lambda part: part or "-")
def test_each_test_the_readme_cites_exists(file, name):
    assert (TESTS / file).is_file(), f"tests/README.md cites {file}, which does not exist"
    if name:
        assert name in _module_level_names(TESTS / file), f"tests/README.md cites {file}::{name}, which is not there"
