#!/usr/bin/env python3
"""Writes a one-line plan JSON (as `terraform show -json` does) whose N buckets each have
ObjectWriter ownership, so one scan reports N findings on line 1: the case where a column
counted from the start of the line per finding is quadratic. Non-ASCII tags make columns
count characters, not bytes.

usage: one_line_plan.py OUT_FILE N
"""
import json
import sys

out, n = sys.argv[1], int(sys.argv[2])
resources = []
for i in range(n):
    resources.append({
        "address": f"aws_s3_bucket.b{i}", "mode": "managed", "type": "aws_s3_bucket",
        "name": f"b{i}", "values": {"bucket": f"bucket-{i}", "tags": {"Owner": "équipe-données"}},
    })
    resources.append({
        "address": f"aws_s3_bucket_ownership_controls.b{i}", "mode": "managed",
        "type": "aws_s3_bucket_ownership_controls", "name": f"b{i}",
        "values": {"bucket": f"bucket-{i}", "rule": [{"object_ownership": "ObjectWriter"}]},
    })
plan = {"format_version": "1.2", "terraform_version": "1.11.0",
        "planned_values": {"root_module": {"resources": resources}}}
with open(out, "w", encoding="utf-8") as f:
    json.dump(plan, f, ensure_ascii=False, separators=(",", ":"))
