"""Greets everyone named on the command line (or the world), one task each.

    mvn package && java -jar target/hello-app-1.0.jar Ada Grace

asyncio.run() runs on rloop inside the jar without any change to this code.
"""

import asyncio
import sys
import time
from importlib import resources


async def greet(name, greeting, delay):
    await asyncio.sleep(delay)
    return f"{greeting}, {name}!"


async def main(names):
    print(f"asyncio loop: {type(asyncio.get_running_loop()).__module__}", flush=True)
    greeting = resources.files("hello_app").joinpath("data/greeting.txt").read_text().strip()
    start = time.monotonic()
    # the longest sleep first: the greetings still come back in argument order
    lines = await asyncio.gather(*(greet(n, greeting, 0.05 * (len(names) - i))
                                   for i, n in enumerate(names)))
    for line in lines:
        print(line)
    print(f"{len(names)} greetings in {time.monotonic() - start:.2f} s")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:] or ["world"]))
