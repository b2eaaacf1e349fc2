"""The fake API server's command line (the flags and file formats are in the package docstring,
__init__.py): parses the flags, loads STATE.json and serves HTTPS until interrupted.

Run as `python3 tests/fakes/kube_apiserver ARGS...` (or `python3 -m kube_apiserver ARGS...` with
tests/fakes on sys.path)."""
import argparse
import os
import sys

sys.dont_write_bytecode = True  # keep the source tree clean
if not __package__:  # run as a directory: import this package by name from its parent
    HERE = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [os.path.dirname(HERE)] + [p for p in sys.path if os.path.abspath(p) != HERE]
import kube_apiserver  # noqa: E402
from kube_apiserver.server import serve  # noqa: E402
from kube_apiserver.store import load_state  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=kube_apiserver.__doc__.split("\n")[0])
    for flag in ("--cert", "--key", "--client-ca", "--state", "--log"):
        parser.add_argument(flag, required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file")
    parser.add_argument("--tokens")
    parser.add_argument("--faults")
    args = parser.parse_args()
    load_state(args.state)
    return serve(args)


if __name__ == "__main__":
    sys.exit(main())
