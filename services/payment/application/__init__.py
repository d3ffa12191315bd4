"""Use cases of payment: get from the repository, call one method, save."""
