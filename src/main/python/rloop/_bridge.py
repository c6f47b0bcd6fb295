"""Reach the Java side of rloop from Python.

The host (``dev.rloop.RLoop``) puts a bridge object into the context's polyglot bindings; hosts
that allow class lookup can skip that step, and the bridge class is then loaded by name.
"""

def _find_bridge():
    try:
        import polyglot
    except ImportError:
        polyglot = None
    if polyglot is not None:
        bridge = polyglot.import_value("rloop.bridge")
        if bridge is not None:
            return bridge
    try:
        import java
        return java.type("dev.rloop.PythonBridge")()
    except Exception as exc:  # no host class lookup, or not GraalPy at all
        raise ImportError(
            "rloop needs GraalPy with the rloop-graalpy jar: build the context with "
            "dev.rloop.RLoop.contextBuilder() or call dev.rloop.RLoop.install(context)") from exc


bridge = _find_bridge()
