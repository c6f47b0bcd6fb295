"""rloop's ``multidict._multidict``: multidict's own pure-Python classes, with the case-folding
of keys memoised.

A case-insensitive ``CIMultiDict`` identifies a key by ``key.title()`` on every store and
lookup; aiohttp alone asks for ten singleton headers per request. GraalPy 25.0.3 takes about
1,680 ns per ``str.title()`` (CPython 137 ns, GraalPy's ``upper()`` 25 ns), which made the
title calls the largest single cost of an aiohttp request on rloop (docs/ARCHITECTURE.md, "Real
web servers"). Header names repeat, so a small table of the titles already computed answers
almost every call. Everything else is multidict's ``_multidict_py`` unchanged: these classes
subclass it and differ only in where the title comes from, and in making ``copy()`` return
these classes, as the C extension's does.

Loaded by rloop's finder in place of the C extension (see ``rloop._accelerators``).
"""

from multidict import _multidict_py as _py

try:
    _py.CIMultiDict._title
    _py.CIMultiDictProxy._title
    _py._Impl
    _py_istr = _py.istr
except AttributeError as exc:  # a multidict whose Python layout rloop does not know
    raise ImportError(f"rloop's multidict accelerator does not know this multidict: {exc}")

# Bounded so that a program feeding endless distinct keys keeps constant memory; 4,096 is far
# more header names than a server sees, and a full table is simply started again.
_TITLES_LIMIT = 4096
_titles = {}


def _title(key):
    # Only exact str and istr: a str subclass may define its own title(), and other types
    # must fail (or not) exactly as multidict's own code makes them.
    kind = type(key)
    if kind is not str and kind is not _py_istr:
        return key.title()
    titled = _titles.get(key)
    if titled is None:
        titled = key.title()
        if len(_titles) >= _TITLES_LIMIT:
            _titles.clear()
        _titles[key] = titled
    return titled


istr = _py_istr
upstr = _py_istr
getversion = _py.getversion


class MultiDict(_py.MultiDict):
    pass


class CIMultiDict(_py.CIMultiDict):
    def _title(self, key):
        return _title(key)


class MultiDictProxy(_py.MultiDictProxy):
    def copy(self):
        return MultiDict(self.items())


class CIMultiDictProxy(_py.CIMultiDictProxy):
    def _title(self, key):
        return _title(key)

    def copy(self):
        return CIMultiDict(self.items())


for _cls in (MultiDict, CIMultiDict, MultiDictProxy, CIMultiDictProxy):
    _cls.__doc__ = _cls.__mro__[1].__doc__
del _cls
