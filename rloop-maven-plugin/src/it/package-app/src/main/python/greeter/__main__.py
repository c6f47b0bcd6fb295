import asyncio
import os
import sys

import java  # GraalPy's host access: the JVM's system properties come from <jvmArgs>

from greeter.words import greeting


async def greet(name, punctuation):
    await asyncio.sleep(0)
    return f"{greeting()}, {name}{punctuation}"


async def main(names):
    punctuation = java.type("java.lang.System").getProperty("greeter.punctuation")
    for line in await asyncio.gather(*(greet(n, punctuation) for n in names)):
        print(line)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    print("main module:", __name__, os.path.basename(__file__))
    print("app root on sys.path:", root in sys.path)
    with open(os.path.join(root, "config", "settings.ini")) as f:
        print("config:", f.read().strip())
    print("loop:", type(asyncio.get_running_loop()).__module__)
    # a Java dependency of the app's pom is on the class path
    failure = java.type("org.opentest4j.AssertionFailedError")("from a dependency")
    print("java dependency:", failure.getMessage())


asyncio.run(main(sys.argv[1:] or ["world"]))
