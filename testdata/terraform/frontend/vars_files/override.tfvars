h = "h-var-file"
