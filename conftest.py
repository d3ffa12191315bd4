pytest_plugins = ["tests.support.engines"]
