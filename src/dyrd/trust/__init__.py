"""Who is who and what they may do: members, users, roles and API tokens."""
