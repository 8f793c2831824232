// Tests to follow.
