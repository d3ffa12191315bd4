pytest_plugins = ["tests.support.engines", "tests.support.tokens", "tests.e2e.plugin"]
