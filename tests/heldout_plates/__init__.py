"""An independent held-out generator of Costa Rican plate photos, and the scoring of a reader on it.

Written apart from the training generator (its own fonts, plate art, streets, cars, camera and scale
distribution) so that a score on these photos says how the plate reader does on photos it was never tuned to.
Nothing in packages/ or tools/ imports it.
"""
