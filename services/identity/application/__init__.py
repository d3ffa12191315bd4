"""Use cases of identity: get from the repository, call one method, save."""
