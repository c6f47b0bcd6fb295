import asyncio
import sys


async def main():
    await asyncio.sleep(0.01)
    print("run goal:", type(asyncio.get_running_loop()).__module__, sys.argv[1:])
    print("jit:", __import__("java").type("java.lang.management.ManagementFactory")
          .getRuntimeMXBean().getInputArguments().contains("-XX:+EnableJVMCI"))


asyncio.run(main())
