"""Pure parts of the notification channels: message templates, webhook signatures, retry timing.

Like ``scoring``, nothing here does I/O beyond reading template files: the services in
``services/notifications.py`` load the facts and send.
"""
