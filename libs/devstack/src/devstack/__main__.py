"""python -m devstack [run|migrate|rebuild-reports|schemas]"""

import sys

from devstack import run

COMMANDS = {
    "run": run.main,
    "migrate": run.migrate_only,
    "rebuild-reports": run.rebuild_reports,
    "schemas": run.write_event_schemas,
}

if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "run"
    if command not in COMMANDS:
        print(f"unknown command {command!r}; use one of {', '.join(COMMANDS)}", file=sys.stderr)
        sys.exit(2)
    sys.exit(COMMANDS[command]())
