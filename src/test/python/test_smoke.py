import asyncio

from looptest import LoopTestCase


class SmokeTests(LoopTestCase):
    def test_run_until_complete_returns_result(self):
        async def main():
            await asyncio.sleep(0)
            return 7
        self.assertEqual(7, self.run_async(main()))
