"""Transfer-learned face recognition across five backbones, exported and benchmarked (document 000)."""
