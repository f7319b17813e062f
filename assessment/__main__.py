"""Allow ``python -m assessment``."""

from assessment.cli import main

raise SystemExit(main())
