"""Named scenario users (Foundation 2 fills this in): see tests/scenario docs in README."""
