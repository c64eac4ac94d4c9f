"""Find a licence plate in a photo, read it and name its driving-restriction day."""
