"""A small asyncio program: tasks, timers, a queue and gather.

Run it with rloop (the default) or with GraalPy's stdlib loop to compare:

    launcher/rloop-graalpy examples/hello_async.py
    launcher/rloop-graalpy --loop asyncio examples/hello_async.py

It uses plain asyncio only; the launcher makes rloop the loop asyncio.run creates.
"""

import asyncio
import time


async def countdown(name, n, delay):
    """Counts down from n, sleeping between steps; returns how long it took."""
    start = time.monotonic()
    for i in range(n, 0, -1):
        print(f"  {name}: {i}")
        await asyncio.sleep(delay)
    return name, round(time.monotonic() - start, 2)


async def producer(queue, items):
    for item in items:
        await queue.put(item)
        await asyncio.sleep(0.01)
    await queue.put(None)


async def consumer(queue):
    total = 0
    while (item := await queue.get()) is not None:
        total += item
    return total


async def main():
    loop = asyncio.get_running_loop()
    print(f"event loop: {type(loop).__module__}.{type(loop).__qualname__}")

    # Timers fire in order of their deadlines, not in the order they were scheduled.
    fired = []
    done = loop.create_future()
    now = loop.time()
    loop.call_at(now + 0.06, fired.append, "call_at(now + 0.06)")
    loop.call_at(now + 0.02, fired.append, "call_at(now + 0.02)")
    loop.call_soon(fired.append, "call_soon")
    loop.call_later(0.1, done.set_result, None)
    await done
    print("timers fired in order:", fired)

    # Tasks running concurrently: the whole thing takes about as long as the slowest one.
    started = time.monotonic()
    results = await asyncio.gather(
        countdown("fast", 3, 0.05),
        countdown("slow", 2, 0.1),
        countdown("once", 1, 0.02),
    )
    print("countdowns:", results, f"(together {time.monotonic() - started:.2f} s)")

    # A producer and a consumer talking through a queue.
    queue = asyncio.Queue()
    _, total = await asyncio.gather(producer(queue, range(1, 11)), consumer(queue))
    print("sum from the queue:", total)

    # A timeout that fires, and one that does not.
    try:
        async with asyncio.timeout(0.05):
            await asyncio.sleep(10)
    except TimeoutError:
        print("timeout: the 10 s sleep was cut short")
    print("wait_for:", await asyncio.wait_for(asyncio.sleep(0.01, result="in time"), timeout=1))

    # Blocking work goes to the default executor (a thread pool).
    print("executor:", await loop.run_in_executor(None, sum, range(1_000_000)))


if __name__ == "__main__":
    asyncio.run(main())
    print("done")
