"""Use cases of catalog: get from the repository, call one method, save."""
