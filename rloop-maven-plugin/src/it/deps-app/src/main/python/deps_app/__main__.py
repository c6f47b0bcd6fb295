import asyncio
import importlib.metadata
import sys

import demo_dep
import demo_extra
import demo_tool


async def main():
    await asyncio.sleep(0)
    print("loop:", type(asyncio.get_running_loop()).__module__)
    print("demo_dep:", demo_dep.greet(sys.argv[1:] or ["world"]))
    print("demo_extra (required by demo-dep):", demo_extra.VALUE)
    print("demo_tool (from the requirements file):", demo_tool.VERSION)
    for name in ("demo-dep", "demo-extra", "demo-tool"):
        print("installed:", name, importlib.metadata.version(name))


asyncio.run(main())
