"""What callers read: the view-models, lists, publicity, the event feed, statistics and their charts."""
