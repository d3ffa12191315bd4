"""The identity service: accounts, login, tokens and the personal document wallet."""
