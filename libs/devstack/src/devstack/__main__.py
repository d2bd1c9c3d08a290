"""python -m devstack [run|migrate]"""

import sys

from devstack import run

if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "run"
    if command == "run":
        sys.exit(run.main())
    if command == "migrate":
        sys.exit(run.migrate_only())
    print(f"unknown command {command!r}; use run or migrate", file=sys.stderr)
    sys.exit(2)
