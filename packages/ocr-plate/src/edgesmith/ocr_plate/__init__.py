"""Licence-plate crop preprocessing and OCR through Tesseract (pytesseract), plate-format validation, and last digit to Costa Rican restriction day."""
