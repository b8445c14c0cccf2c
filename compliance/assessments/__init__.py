"""Taking a questionnaire: assessments, answers, and the pages to fill in and submit them."""
