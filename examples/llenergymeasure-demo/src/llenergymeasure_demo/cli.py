import argparse

from . import __version__


def main() -> None:
    parser = argparse.ArgumentParser(prog="llem-demo")
    parser.add_argument("--version", action="version", version=__version__)
    parser.parse_args()
