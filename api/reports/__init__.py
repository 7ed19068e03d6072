"""Documents people hand on: the qualification dossier, report exports and the monthly risk report."""
