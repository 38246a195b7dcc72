"""Energy measurement for LLM inference (demo)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("llenergymeasure-demo")
except PackageNotFoundError:  # running from a source checkout that is not installed
    __version__ = "0+unknown"

__all__ = ["__version__"]
