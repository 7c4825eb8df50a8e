"""The record kept of what happened: the hash-chained audit trail and its evidence, random draws, retention of
closed cases' files."""
