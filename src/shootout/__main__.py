"""Allow ``python -m shootout`` as a synonym for the ``shootout`` console script."""

from shootout.cli import main

raise SystemExit(main())
