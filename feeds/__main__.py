"""`python -m feeds`, and the `feeds` command.

The command line is imported only when run: a parsing worker, started by spawn,
imports the main module of its parent again, and should not pay for all of
feeds while every parallel build waits for its workers.
"""


def run() -> int:
    from feeds.cli import main

    return main()


if __name__ == "__main__":
    raise SystemExit(run())
