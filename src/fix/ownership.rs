//! Whether the ownership fix (`BucketOwnerEnforced`) is safe for a bucket: not while an ACL in
//! the code still needs ACLs enabled (S3 then rejects every ACL other than `private` and
//! `bucket-owner-full-control`, so the apply would fail, or the grants would stop counting).

use crate::model::Inventory;
use crate::value::PString;

/// Why BucketOwnerEnforced cannot be set automatically on the bucket (`bucket` index, or its
/// expression), if an ACL of the code still needs ACLs.
pub fn acl_needed(inv: &Inventory, bucket: Option<usize>, expr: &PString) -> Option<String> {
    let acl = inv.acls.iter().find(|a| {
        let harmless = ["bucket-owner-full-control", "BucketOwnerFullControl"]
            .iter()
            .any(|ok| a.what.contains(ok));
        let same = match (bucket, a.bucket) {
            (Some(x), Some(y)) => x == y,
            // An ACL whose bucket is not known statically may be this bucket's.
            (_, None) if a.bucket_expr.holes().next().is_some() => true,
            _ => !expr.parts().is_empty() && a.bucket_expr == *expr,
        };
        same && !harmless
    })?;
    Some(format!(
        "{} still sets an ACL ({}), which BucketOwnerEnforced would disable (S3 rejects ACLs other than private \
         and bucket-owner-full-control then): replace the ACL with bucket-policy statements first, then set \
         BucketOwnerEnforced",
        acl.resource, acl.what
    ))
}
