#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    if "SECRET_KEY" not in os.environ:
        # An unconfigured checkout is a developer's machine (make run, make test, the
        # commands of the README). Servers set SECRET_KEY, and wsgi.py never does this.
        os.environ.setdefault("DEBUG", "1")
    from django.core.management import execute_from_command_line
    from django.db import DatabaseError

    try:
        execute_from_command_line(sys.argv)
    except DatabaseError as exc:
        from portal.db import database_problem

        problem = database_problem(exc)
        if problem is None:
            raise
        # A command meets a database it cannot use: say so, without a traceback.
        sys.stderr.write(f"{problem}（{exc.__class__.__name__}：{str(exc).strip().splitlines()[0]}）\n")
        sys.exit(1)


if __name__ == "__main__":
    main()
