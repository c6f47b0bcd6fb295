"""rloop's stand-ins for C extensions that GraalPy cannot load (``rloop._accelerators``): the
finder that supplies them only where nothing else does, and ``multidict._multidict``, checked
operation by operation against multidict's own pure-Python classes (Debian's python3-multidict).
The httptools parser has its own module, test_httptools_parser."""

import copy
import importlib
import os
import pickle
import sys
import unittest

from rloop import _accelerators

_DEBIAN_PACKAGES = "/usr/lib/python3/dist-packages"


def _multidict_modules():
    if os.path.isdir(_DEBIAN_PACKAGES) and _DEBIAN_PACKAGES not in sys.path:
        sys.path.append(_DEBIAN_PACKAGES)
    try:
        return importlib.import_module("multidict"), importlib.import_module("multidict._multidict_py")
    except ImportError as exc:
        raise unittest.SkipTest(f"multidict is not importable ({exc}); "
                                "apt-get install python3-multidict")


class TestFinder(unittest.TestCase):
    def test_the_finder_is_consulted_after_every_other(self):
        finders = [f for f in sys.meta_path if isinstance(f, _accelerators.AcceleratorFinder)]
        if os.environ.get("RLOOP_NO_ACCELERATORS"):
            self.assertEqual(finders, [])
            return
        self.assertEqual(len(finders), 1)
        self.assertIs(sys.meta_path[-1], finders[0])

    def test_it_provides_only_the_modules_it_knows(self):
        finder = _accelerators.AcceleratorFinder()
        self.assertIsNone(finder.find_spec("json", None))
        self.assertIsNone(finder.find_spec("aiohttp._http_parser", None))
        spec = finder.find_spec("multidict._multidict", None)
        self.assertEqual(spec.name, "multidict._multidict")

    def test_install_is_idempotent_and_honours_the_switch(self):
        saved_path, saved_env = list(sys.meta_path), os.environ.get("RLOOP_NO_ACCELERATORS")
        try:
            sys.meta_path[:] = [f for f in sys.meta_path
                                if not isinstance(f, _accelerators.AcceleratorFinder)]
            os.environ["RLOOP_NO_ACCELERATORS"] = "1"
            _accelerators.install()
            self.assertFalse(any(isinstance(f, _accelerators.AcceleratorFinder) for f in sys.meta_path))
            del os.environ["RLOOP_NO_ACCELERATORS"]
            _accelerators.install()
            _accelerators.install()
            self.assertEqual(sum(isinstance(f, _accelerators.AcceleratorFinder) for f in sys.meta_path), 1)
        finally:
            sys.meta_path[:] = saved_path
            if saved_env is None:
                os.environ.pop("RLOOP_NO_ACCELERATORS", None)
            else:
                os.environ["RLOOP_NO_ACCELERATORS"] = saved_env


class TestMultidict(unittest.TestCase):
    def setUp(self):
        self.md, self.py = _multidict_modules()
        if self.md.CIMultiDict.__module__ != "multidict._multidict":
            self.skipTest(f"multidict uses {self.md.CIMultiDict.__module__} here "
                          "(accelerators off, or multidict imported before rloop)")

    def both(self, action):
        """``action`` applied to rloop's classes and to multidict's Python ones: same outcome,
        up to the classes' module name (the C extension's is multidict._multidict too)."""
        outcomes = []
        for module in (self.md, self.py):
            try:
                outcome = ("value", repr(action(module)))
            except Exception as exc:  # the comparison is the point: type and message
                outcome = ("raised", type(exc), str(exc))
            outcomes.append(tuple(part.replace("multidict._multidict_py.", "multidict._multidict.")
                                  if isinstance(part, str) else part for part in outcome))
        self.assertEqual(outcomes[0], outcomes[1])
        return outcomes[0]

    def test_reads_and_writes_agree_with_multidicts_python_classes(self):
        pairs = [("Content-Type", "text/plain"), ("host", "a"), ("HOST", "b"), ("X-Long", "1")]

        def scenario(m):
            d = m.CIMultiDict(pairs, accept="*/*")
            log = [d.getall("Host"), d.getone("content-type"), d.get("missing", 0),
                   "HoSt" in d, len(d), list(d.keys()), list(d.values()), list(d.items())]
            d.add("host", "c")
            d["X-LONG"] = "2"
            log.append(d.setdefault("New", "n"))
            log.append(d.popone("HOST"))
            log.append(d.popall("host"))
            del d["accept"]
            d.extend([("a", 1)], b=2)
            d.update({"A": 3})
            log += [list(d.items()), d.popitem(), repr(d), d == dict(d), d != {}]
            return log

        self.both(scenario)

    def test_errors_agree(self):
        for action in (lambda m: m.CIMultiDict()["Nope"],
                       lambda m: m.CIMultiDict().getall("Nope"),
                       lambda m: m.CIMultiDict().popone("Nope"),
                       lambda m: m.CIMultiDict().add(1, "x"),
                       lambda m: m.CIMultiDict({1: "x"}),
                       lambda m: m.CIMultiDict(1, 2),
                       lambda m: m.CIMultiDictProxy(m.MultiDict()),
                       lambda m: m.MultiDictProxy({}),
                       lambda m: m.getversion({}),
                       lambda m: pickle.dumps(m.MultiDictProxy(m.MultiDict()))):
            self.assertEqual(self.both(action)[0], "raised")

    def test_case_sensitive_classes_agree(self):
        self.both(lambda m: [m.MultiDict(a=1, A=2).getall("a"), "A" in m.MultiDict(a=1),
                             m.MultiDictProxy(m.MultiDict(k="v")).get("k")])

    def test_istr_keys_and_keys_with_their_own_title(self):
        class Shouting(str):
            def title(self):
                return self.upper()

        def scenario(m):
            d = m.CIMultiDict([(m.istr("User-Agent"), "wrk")])
            d.add(Shouting("x-id"), 1)
            return [d.getall(m.istr("user-agent")), d.getall(Shouting("X-id"), None),
                    d.getall("X-ID", None), list(d.items())]

        self.assertEqual(self.both(scenario),
                         ("value", repr([["wrk"], [1], None, [("User-Agent", "wrk"), ("x-id", 1)]])))
        self.assertIs(self.md.istr, self.py.istr)

    def test_copies_and_pickles_keep_the_classes_multidict_exports(self):
        md = self.md
        d = md.CIMultiDict(a="1")
        proxy = md.CIMultiDictProxy(d)
        self.assertIs(type(proxy.copy()), md.CIMultiDict)
        self.assertIs(type(md.MultiDictProxy(md.MultiDict(a=1)).copy()), md.MultiDict)
        self.assertIs(type(copy.copy(d)), md.CIMultiDict)
        again = pickle.loads(pickle.dumps(d))
        self.assertIs(type(again), md.CIMultiDict)
        self.assertEqual(again, d)
        version = md.getversion(d)
        d.add("b", "2")
        self.assertGreater(md.getversion(proxy), version)

    def test_many_distinct_keys_stay_correct_past_the_title_table(self):
        md = self.md
        d = md.CIMultiDict()
        for i in range(10_000):
            d.add(f"key-{i}", i)
        self.assertEqual(d.getone("KEY-9999"), 9999)
        self.assertEqual(d.getone("key-0"), 0)
        self.assertLessEqual(len(sys.modules["multidict._multidict"]._titles), 4096)


if __name__ == "__main__":
    unittest.main()
