"""family_counselling: offices, mediation and clinical cases, waiting times, appointments."""
