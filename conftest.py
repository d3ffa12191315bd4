pytest_plugins = ["tests.support.engines", "tests.e2e.plugin"]
