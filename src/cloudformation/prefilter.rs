//! Skips what cannot matter before parsing a block-style YAML template: in the `Resources`
//! section, every resource whose `Type` the model never reads ([`super::types`]: anything
//! but `AWS::S3::*`, `AWS::KMS::*` and `AWS::CloudFront::Distribution`) keeps only its
//! logical id and `Type` lines; its other lines are blanked with spaces, newlines kept. Offsets, lines and columns stay those of the file; the
//! resource still exists for `Ref` and `Fn::GetAtt`, and the parser has far less to build.
//!
//! Only plain block-style entries are touched. Anything unusual (flow style, a resource
//! without a recognisable `Type` line, `Fn::ForEach` keys) is kept as it is: the full parse
//! is always correct, only slower.

use std::borrow::Cow;

/// Resource types the model reads ([`super::types`]).
pub fn relevant_resource_type(rtype: &str) -> bool {
    super::types::is_modelled(rtype)
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

fn is_blank_or_comment(line: &str) -> bool {
    let t = line.trim_start();
    t.is_empty() || t.starts_with('#')
}

fn unquote(s: &str) -> &str {
    let s = s.trim();
    s.strip_prefix('"')
        .and_then(|x| x.strip_suffix('"'))
        .or_else(|| s.strip_prefix('\'').and_then(|x| x.strip_suffix('\'')))
        .unwrap_or(s)
}

/// The template text with irrelevant resources blanked, or the text itself.
pub fn relevant_yaml(text: &str) -> Cow<'_, str> {
    if text.trim_start().starts_with('{') {
        return Cow::Borrowed(text);
    }
    // (byte offset, line) for every line, newline excluded.
    let mut lines: Vec<(usize, &str)> = Vec::new();
    let mut at = 0;
    for raw in text.split_inclusive('\n') {
        lines.push((at, raw.trim_end_matches(['\n', '\r'])));
        at += raw.len();
    }
    let Some(start) = lines.iter().position(|(_, l)| {
        let key = l.split(':').next().unwrap_or_default();
        indent(l) == 0 && unquote(key) == "Resources" && l.trim_end().ends_with(':')
    }) else {
        return Cow::Borrowed(text);
    };
    let mut blank: Vec<(usize, usize)> = Vec::new();
    let mut i = start + 1;
    let mut entry_indent = None;
    while i < lines.len() {
        let (_, line) = lines[i];
        if is_blank_or_comment(line) {
            i += 1;
            continue;
        }
        let ind = indent(line);
        if ind == 0 {
            break;
        }
        let n = *entry_indent.get_or_insert(ind);
        if ind != n || !line.trim_end().ends_with(':') || line.trim_start().starts_with('-') {
            // Not a plain `LogicalId:` entry: leave the rest as it is.
            break;
        }
        // The entry: its lines run until the next line at indent n or less.
        let mut end = i + 1;
        while end < lines.len() && (is_blank_or_comment(lines[end].1) || indent(lines[end].1) > n) {
            end += 1;
        }
        let body = &lines[i + 1..end];
        let prop_indent = body
            .iter()
            .map(|(_, l)| l)
            .find(|l| !is_blank_or_comment(l))
            .map(|l| indent(l));
        let type_line = body.iter().position(|(_, l)| {
            Some(indent(l)) == prop_indent && l.trim_start().starts_with("Type:")
        });
        if let Some(t) = type_line {
            let rtype = unquote(body[t].1.trim_start().trim_start_matches("Type:"));
            let simple = !rtype.is_empty() && !rtype.starts_with(['!', '{', '[', '&', '*']);
            if simple && !relevant_resource_type(rtype) {
                for (k, (offset, l)) in body.iter().enumerate() {
                    if k != t {
                        blank.push((*offset, offset + l.len()));
                    }
                }
            }
        }
        i = end;
    }
    if blank.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut bytes = text.as_bytes().to_vec();
    for (a, b) in blank {
        for byte in &mut bytes[a..b] {
            *byte = b' ';
        }
    }
    match String::from_utf8(bytes) {
        Ok(s) => Cow::Owned(s),
        Err(_) => Cow::Borrowed(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn irrelevant_resources_keep_only_id_and_type() {
        let text = "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: q\n  \
                    Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: b\nOutputs: {}\n";
        let out = relevant_yaml(text);
        assert_eq!(out.len(), text.len());
        assert!(out.contains("  Queue:\n    Type: AWS::SQS::Queue\n"));
        assert!(!out.contains("QueueName"));
        assert!(out.contains("BucketName: b"));
        assert!(out.contains("Outputs: {}"));
    }

    #[test]
    fn unusual_layouts_are_kept() {
        for text in [
            "{\"Resources\": {}}",
            "Resources:\n  - odd\n",
            "Resources:\n  Queue:\n    Properties: {}\n    Type: !If [c, a, b]\n",
        ] {
            assert_eq!(relevant_yaml(text), text);
        }
    }
}
