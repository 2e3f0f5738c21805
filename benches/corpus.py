#!/usr/bin/env python3
"""Generates the benchmark corpora of ARCHITECTURE.md ("Budgets"): a Terraform tree of about
21.7 MB in 2,001 files, a plan JSON of about 48.7 MB, and 1,000 CloudFormation templates of
about 18.5 MB. Most resources are unrelated to S3 (as in a real monorepo); one file in ten
holds a bucket with a VPC-only policy, a KMS key and ownership controls.

usage: corpus.py OUT_DIR [--scale N]   (scale 1 = the sizes above; 5 = the 110 MB monorepo)
"""
import json
import os
import random
import sys

random.seed(7)


def tf_filler(i, j):
    return f'''
resource "aws_security_group" "sg_{i}_{j}" {{
  name        = "sg-{i}-{j}"
  description = "generated security group {i}/{j} for the benchmark corpus"
  vpc_id      = var.vpc_id

  ingress {{
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["10.{i % 250}.{j % 250}.0/24"]
  }}

  egress {{
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }}

  tags = {{
    Name        = "sg-{i}-{j}"
    Environment = local.environment
    Owner       = "team-{j % 17}"
  }}
}}

resource "aws_instance" "app_{i}_{j}" {{
  ami                    = "ami-0abcdef{i:06d}{j:03d}"
  instance_type          = "t3.micro"
  subnet_id              = "subnet-{i:08x}"
  vpc_security_group_ids = [aws_security_group.sg_{i}_{j}.id]
  user_data              = <<-EOT
    #!/bin/bash
    echo "instance {i}/{j}" > /etc/motd
  EOT
  tags = merge(local.common_tags, {{ Name = "app-{i}-{j}" }})
}}
'''


def tf_bucket(i):
    return f'''
resource "aws_s3_bucket" "data_{i}" {{
  bucket = "corp-data-{i}"
}}

resource "aws_s3_bucket_ownership_controls" "data_{i}" {{
  bucket = aws_s3_bucket.data_{i}.id
  rule {{
    object_ownership = "BucketOwnerEnforced"
  }}
}}

resource "aws_kms_key" "data_{i}" {{
  description = "key {i}"
}}

resource "aws_s3_bucket_server_side_encryption_configuration" "data_{i}" {{
  bucket = aws_s3_bucket.data_{i}.id
  rule {{
    apply_server_side_encryption_by_default {{
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.data_{i}.arn
    }}
  }}
}}

resource "aws_s3_bucket_policy" "data_{i}" {{
  bucket = aws_s3_bucket.data_{i}.id
  policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Sid       = "DenyOutsideVpc"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = [aws_s3_bucket.data_{i}.arn, "${{aws_s3_bucket.data_{i}.arn}}/*"]
      Condition = {{ StringNotEquals = {{ "aws:SourceVpc" = var.vpc_id }} }}
    }}]
  }})
}}
'''


def terraform(out, scale):
    root = os.path.join(out, "terraform")
    files = 2000 * scale
    per_file = 9
    for i in range(files):
        d = os.path.join(root, f"stack-{i // 50:03d}")
        os.makedirs(d, exist_ok=True)
        body = "".join(tf_filler(i, j) for j in range(per_file))
        if i % 10 == 0:
            body += tf_bucket(i)
        with open(os.path.join(d, f"main-{i:05d}.tf"), "w") as f:
            f.write(body)
    for k in range(files // 50 + 1):
        d = os.path.join(root, f"stack-{k:03d}")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "variables.tf"), "w") as f:
            f.write('variable "vpc_id" {\n  default = "vpc-0a1b2c3d"\n}\n\nlocals {\n  environment = "prod"\n'
                    '  common_tags = { Project = "bench" }\n}\n')


def plan(out, scale):
    changes = []
    config = []
    n = 38000 * scale
    for i in range(n):
        if i % 20 == 0:
            addr = f"aws_s3_bucket_policy.p{i}"
            pol = {"Version": "2012-10-17", "Statement": [{
                "Sid": "DenyOutsideVpc", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                "Resource": [f"arn:aws:s3:::b{i}", f"arn:aws:s3:::b{i}/*"],
                "Condition": {"StringNotEquals": {"aws:SourceVpc": "vpc-0a1b2c3d"}}}]}
            changes.append({"address": f"aws_s3_bucket.b{i}", "mode": "managed", "type": "aws_s3_bucket",
                            "name": f"b{i}", "provider_name": "registry.terraform.io/hashicorp/aws",
                            "change": {"actions": ["create"], "before": None,
                                       "after": {"bucket": f"b{i}", "force_destroy": False, "tags": None},
                                       "after_unknown": {"arn": True, "id": True}}})
            changes.append({"address": addr, "mode": "managed", "type": "aws_s3_bucket_policy", "name": f"p{i}",
                            "provider_name": "registry.terraform.io/hashicorp/aws",
                            "change": {"actions": ["create"], "before": None,
                                       "after": {"bucket": f"b{i}", "policy": json.dumps(pol)},
                                       "after_unknown": {"id": True}}})
        else:
            changes.append({"address": f"aws_instance.app{i}", "mode": "managed", "type": "aws_instance",
                            "name": f"app{i}", "provider_name": "registry.terraform.io/hashicorp/aws",
                            "change": {"actions": ["create"], "before": None,
                                       "after": {"ami": f"ami-{i:012x}", "instance_type": "t3.micro",
                                                 "tags": {"Name": f"app{i}", "Owner": f"team-{i % 17}"},
                                                 "user_data": "echo generated instance for the benchmark " * 8,
                                                 "vpc_security_group_ids": [f"sg-{i:08x}"]},
                                       "after_unknown": {"arn": True, "id": True, "private_ip": True}}})
        config.append({"address": f"aws_instance.app{i}", "mode": "managed", "type": "aws_instance",
                       "name": f"app{i}", "expressions": {"ami": {"constant_value": f"ami-{i:012x}"}}})
    doc = {"format_version": "1.2", "terraform_version": "1.6.6",
           "planned_values": {"root_module": {"resources": []}},
           "resource_changes": changes, "configuration": {"root_module": {"resources": config}}}
    os.makedirs(os.path.join(out, "plan"), exist_ok=True)
    with open(os.path.join(out, "plan", "plan.json"), "w") as f:
        json.dump(doc, f, indent=2)


def cfn(out, scale):
    d = os.path.join(out, "cloudformation")
    os.makedirs(d, exist_ok=True)
    for i in range(1000 * scale):
        lines = ['AWSTemplateFormatVersion: "2010-09-09"', "Parameters:", "  VpcId:", "    Type: String",
                 "    Default: vpc-0a1b2c3d", "Resources:"]
        for j in range(58):
            lines += [f"  Queue{j}:", "    Type: AWS::SQS::Queue", "    Properties:",
                      f"      QueueName: !Sub '${{AWS::StackName}}-queue-{j}'", "      VisibilityTimeout: 60",
                      "      Tags:", "        - Key: Owner", f"          Value: team-{j % 7}",
                      f"  Topic{j}:", "    Type: AWS::SNS::Topic", "    Properties:",
                      f"      TopicName: !Join ['-', [!Ref 'AWS::StackName', topic, '{j}']]"]
        lines += ["  DataBucket:", "    Type: AWS::S3::Bucket", "    Properties:",
                  f"      BucketName: corp-data-{i}", "      OwnershipControls:", "        Rules:",
                  "          - ObjectOwnership: BucketOwnerEnforced",
                  "  DataBucketPolicy:", "    Type: AWS::S3::BucketPolicy", "    Properties:",
                  "      Bucket: !Ref DataBucket", "      PolicyDocument:", "        Version: '2012-10-17'",
                  "        Statement:", "          - Sid: DenyOutsideVpc", "            Effect: Deny",
                  "            Principal: '*'", "            Action: 's3:*'", "            Resource:",
                  "              - !GetAtt DataBucket.Arn", "              - !Sub '${DataBucket.Arn}/*'",
                  "            Condition:", "              StringNotEquals:",
                  "                aws:SourceVpc: !Ref VpcId"]
        with open(os.path.join(d, f"stack-{i:04d}.yaml"), "w") as f:
            f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    out = sys.argv[1]
    scale = int(sys.argv[sys.argv.index("--scale") + 1]) if "--scale" in sys.argv else 1
    terraform(out, scale)
    plan(out, scale)
    cfn(out, scale)
