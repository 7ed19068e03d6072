"""What every floor shares and nothing else: the base exception and the user roles.

The lowest floor: it imports nothing of the project, so every package may use it.
"""
