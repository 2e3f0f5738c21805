//! CP304: declaring `BucketOwnerEnforced` for a bucket that has no ownership setting in the
//! code — a new `aws_s3_bucket_ownership_controls` resource after the bucket's block, or an
//! `OwnershipControls` property in the template — unless an ACL still needs ACLs or the
//! bucket receives CloudFront standard logs.

use super::exempt::Generated;
use super::text::{indent_of, line_end};
use crate::diagnostics::{Diagnostic, Edit, Fix};
use crate::model::Inventory;
use crate::source::{FileId, Sources, Span};

fn insert(file: FileId, at: usize, text: String) -> Edit {
    Edit {
        span: Span::new(file, at, at),
        expected: String::new(),
        text,
    }
}

/// The Terraform resource, after the bucket's block.
fn terraform(sources: &Sources, file: FileId, address: &str, end: usize) -> Result<Edit, String> {
    let f = sources.file(file);
    if !f.name.ends_with(".tf") {
        return Err("the bucket is not written in a .tf file".into());
    }
    if address.contains('[') {
        return Err("the bucket is created with count or for_each: declare its ownership controls with the same count or for_each".into());
    }
    let name = address
        .strip_prefix("aws_s3_bucket.")
        .or_else(|| address.rsplit_once(".aws_s3_bucket.").map(|(_, n)| n))
        .ok_or("the bucket is not an aws_s3_bucket resource")?;
    if !f.text[..end].ends_with('}') {
        return Err("the bucket's block does not end with `}`".into());
    }
    let header = format!("resource \"aws_s3_bucket_ownership_controls\" \"{name}\"");
    let taken = sources
        .in_folder(super::account::folder_of(&f.name))
        .iter()
        .any(|&id| sources.file(id).text.contains(&header));
    if taken {
        return Err(format!(
            "{header} already exists in the module but is not linked to this bucket"
        ));
    }
    Ok(insert(
        file,
        end,
        format!(
            "\n\n{header} {{\n  bucket = aws_s3_bucket.{name}.id\n\n  rule {{\n    object_ownership = \"BucketOwnerEnforced\"\n  }}\n}}"
        ),
    ))
}

/// The template property, first in the bucket's `Properties`.
fn template(text: &str, file: FileId, start: usize, end: usize) -> Result<Edit, String> {
    let body = &text[start..end];
    if text.trim_start().starts_with('{') {
        let at = body
            .find("\"Properties\"")
            .and_then(|p| body[p..].find('{').map(|b| start + p + b + 1))
            .ok_or("the bucket has no Properties object to add OwnershipControls to")?;
        let next = at + text[at..].len() - text[at..].trim_start().len();
        if text[next..].starts_with('}') {
            return Err("the bucket's Properties object is empty".into());
        }
        let indent = indent_of(text, next);
        return Ok(insert(
            file,
            at,
            format!(
                "\n{indent}\"OwnershipControls\": {{ \"Rules\": [{{ \"ObjectOwnership\": \"BucketOwnerEnforced\" }}] }},"
            ),
        ));
    }
    let lines: Vec<(usize, &str)> = body
        .split_inclusive('\n')
        .scan(start, |at, line| {
            let here = *at;
            *at += line.len();
            Some((here, line))
        })
        .collect();
    let properties = lines
        .iter()
        .position(|(_, l)| l.trim_end().trim_start() == "Properties:")
        .ok_or("the bucket has no block-style Properties to add OwnershipControls to")?;
    let (at, _) = lines[properties];
    let child = lines[properties + 1..]
        .iter()
        .find(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .ok_or("the bucket's Properties are empty")?;
    let indent = indent_of(text, child.0);
    if indent.len() <= indent_of(text, at).len() {
        return Err("the bucket's Properties are empty".into());
    }
    Ok(insert(
        file,
        line_end(text, at),
        format!(
            "\n{indent}OwnershipControls:\n{indent}  Rules:\n{indent}    - ObjectOwnership: BucketOwnerEnforced"
        ),
    ))
}

/// The fix that declares BucketOwnerEnforced for the bucket of `d`.
pub fn declare(sources: &Sources, inv: &Inventory, d: &Diagnostic) -> Result<Generated, String> {
    let i = inv
        .buckets
        .iter()
        .position(|b| b.resource == d.resource && b.header == d.span)
        .ok_or("the bucket is not in the code")?;
    let b = &inv.buckets[i];
    if let Some(why) = super::ownership::acl_needed(inv, Some(i), &b.name) {
        return Err(why);
    }
    if let Some(logs) = inv.cloudfront_logs_of(Some(i), &b.name) {
        return Err(format!(
            "the bucket receives CloudFront standard logs ({}), which need ACLs",
            logs.evidence
        ));
    }
    let file = b.span.file;
    let text = sources.file(file).text.as_str();
    let (start, end) = (b.span.start as usize, b.span.end as usize);
    let edit = if b.resource.contains('.') {
        terraform(sources, file, &b.resource, end)?
    } else {
        template(text, file, start, end)?
    };
    Ok(Generated {
        fix: Fix::single(
            "declare object ownership BucketOwnerEnforced for the bucket: the bucket owner then owns every object, old and new, and ACLs are disabled",
            edit,
        ),
        help: String::new(),
    })
}
