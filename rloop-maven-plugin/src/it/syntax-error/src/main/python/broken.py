import asyncio

async def main()
    print("unreachable")
