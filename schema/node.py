"""The ``Node`` interface: every object with a public id."""

import strawberry


@strawberry.interface
class Node:
    id: strawberry.ID
