import asyncio
import sys


async def main(names):
    await asyncio.sleep(0)
    loop = type(asyncio.get_running_loop())
    print(f"loop: {loop.__module__}")
    print(f"hello from a jar-packaged app: {', '.join(names)}")


asyncio.run(main(sys.argv[1:]))
