"""Example: a script-mode step the root module uploads under a content-hashed key."""

print("postprocessing")
