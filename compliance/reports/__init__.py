"""Results: the results page, SVG charts, the PDF report, and CSV/XLSX/JSON exports."""
