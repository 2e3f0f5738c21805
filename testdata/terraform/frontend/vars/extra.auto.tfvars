g = "g-auto"
