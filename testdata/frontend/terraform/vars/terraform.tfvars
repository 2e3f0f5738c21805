a = "a-tfvars"
b = "b-tfvars"
e = ["e1", "e2"]
