"""Results: the results page, the score chart, the PDF report, and CSV/XLSX/JSON exports."""
