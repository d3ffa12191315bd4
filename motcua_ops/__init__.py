"""Local operations for Một Cửa: start/stop the engines and services without Docker.

`motcua` (see `cli.py`) is the command line; `motcua_ops.engines.ensure_engines()` and
`motcua_ops.state.load_engines()` are the Python entry points used by tests.
"""
