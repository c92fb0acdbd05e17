"""The pure board core: state, method step engine, permissions and the reducer.

Nothing in this package performs I/O or imports asyncio, starlette or redis; a test
enforces that. Every rule of the board lives here.
"""
