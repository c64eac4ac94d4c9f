"""Transfer-learned face recognition across five backbones, exported and benchmarked (the face study)."""
