"""Slug helper: turn a title into a URL-safe slug."""


def slugify(text):
    raise NotImplementedError
