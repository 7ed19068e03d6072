"""Rendering of documents people hand on: the dossier and report PDFs, charts, CSV/XLSX exports.

Pure presentation over plain data (reportlab, matplotlib, openpyxl): the use cases in
``services/`` gather the data, these modules draw it.
"""
