locals {
  actions = ["s3:GetObject", "s3:ListBucket"]
  enabled = true
}

resource "aws_s3_bucket_policy" "t" {
  bucket = "b"
  policy = <<-EOT
    {"Action": [%{ for i, a in local.actions }%{ if i > 0 }, %{ endif }"${a}"%{ endfor }],
     "Enabled": "%{ if local.enabled }yes%{ else }no%{ endif }"}
  EOT
  listed = [for a in local.actions : upper(a) if a != "s3:ListBucket"]
  mapped = { for a in local.actions : a => length(a) }
  joined = join(",", concat(local.actions, ["x"]))
  merged = merge({ a = 1 }, { b = 2 }, { a = 3 })
  looked = lookup({ k = "v" }, "k", "d")
  fmt    = format("%s-%d", "n", 5)
  coal   = coalesce("", "c")
  elem   = element(local.actions, 1)
  cond   = local.enabled ? "on" : "off"
  split  = split(",", "a,b")
  flat   = flatten([["a"], ["b", ["c"]]])
  dist   = distinct(["a", "a", "b"])
  keys   = keys({ z = 1, a = 2 })
  vals   = values({ z = 1, a = 2 })
  has    = contains(local.actions, "s3:GetObject")
  trial  = try(local.missing.attr, "fallback")
  repl   = replace("a-b", "-", "_")
  lowe   = lower("ABC")
  splat  = [{ n = "x" }, { n = "y" }][*].n
  math   = 1 + 2 * 3
}
