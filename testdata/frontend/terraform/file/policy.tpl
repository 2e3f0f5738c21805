{"Resource": "arn:aws:s3:::${bucket}/*"}
