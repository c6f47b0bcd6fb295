"""Accelerators for libraries whose C extensions GraalPy cannot load.

aiohttp, uvicorn and multidict each look for a compiled module first and fall back to Python
when it is missing (``multidict._multidict``, ``httptools.parser.parser``). The C builds in a
CPython installation (Debian's ``*.cpython-311-*.so``) do not load on GraalPy, so there a server
runs the slowest route: uvicorn's ``http="auto"`` picks h11, and every header goes through
``CIMultiDict`` in pure Python. rloop provides its own modules under those names, found only
after every other finder has looked (the finder sits last on ``sys.meta_path``): a real
extension, where one loads, is always used first, and a package that is not installed is not
made to appear. Each provider checks the installed package's layout and raises ImportError
when it does not know it, so the library falls back exactly as without rloop.

``RLOOP_NO_ACCELERATORS=1`` turns them off.
"""

import importlib.abc
import importlib.util
import os
import sys

# the module a library imports -> rloop's module that implements it
_PROVIDERS = {
    "httptools.parser.parser": "rloop._accelerators.httptools_parser",
    "multidict._multidict": "rloop._accelerators.multidict_impl",
}


class _ProviderLoader(importlib.abc.Loader):
    """Runs a provider's code in a module named as the library expects, so that its classes
    carry the library's module name (pickling, reprs) and relative imports resolve there."""

    def __init__(self, provider):
        self._provider = provider

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        source = importlib.util.find_spec(self._provider)
        module.__file__ = source.origin
        exec(source.loader.get_code(self._provider), module.__dict__)


class AcceleratorFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        provider = _PROVIDERS.get(fullname)
        if provider is None:
            return None
        return importlib.util.spec_from_loader(fullname, _ProviderLoader(provider))


def install():
    """Appends the finder to ``sys.meta_path`` once, unless RLOOP_NO_ACCELERATORS is set."""
    if os.environ.get("RLOOP_NO_ACCELERATORS"):
        return
    if not any(isinstance(finder, AcceleratorFinder) for finder in sys.meta_path):
        sys.meta_path.append(AcceleratorFinder())
