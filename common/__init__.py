"""What every floor shares and nothing else: the application's base exception.

The lowest floor: it imports nothing of the project, so every package may use it.
"""
