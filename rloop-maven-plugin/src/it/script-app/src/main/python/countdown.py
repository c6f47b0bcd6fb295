"""Sleeps in three tasks at once and gathers their results; exits with the status given as its last argument."""
import asyncio
import os
import sys


async def tick(n):
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 0.01 * n
    await asyncio.sleep(0.01 * n)
    return n * n if loop.time() >= deadline else None  # a timer never fires early


async def main():
    loop = asyncio.get_running_loop()
    out = await asyncio.gather(*(tick(n) for n in (3, 1, 2)))
    print("loop:", type(loop).__module__, type(loop).__name__)
    print("order:", out)
    print("argv:", sys.argv[1:])
    print("script:", os.path.basename(__file__), os.path.isfile(__file__))
    print("path0 is the script's dir:", sys.path[0] == os.path.dirname(os.path.abspath(__file__)))
    line = sys.stdin.readline().strip()
    print("stdin:", line)


if sys.argv[1:2] == ["sleep"]:
    # for the signal tests: say so, then wait for Ctrl-C or SIGTERM
    async def sleep():
        print("sleeping", flush=True)
        await asyncio.sleep(120)
    asyncio.run(sleep())
    sys.exit(0)

asyncio.run(main())
if len(sys.argv) > 1 and sys.argv[-1].isdigit():
    sys.exit(int(sys.argv[-1]))
