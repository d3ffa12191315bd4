from shared.pg.migrate import run_env

run_env()
