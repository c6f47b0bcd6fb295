"""A small asyncio app for the rloop Maven plugin: greets names concurrently."""
