//! Policies as written: property spans, JSON text (also through `Fn::Sub`) parsed with template
//! positions, and policy documents.

use super::*;

/// A property as written, from its name to the end of its value (`KeyPolicy:` and the
/// policy under it), so that a finding about the whole policy starts on the line that names
/// it in YAML as in JSON.
pub(super) fn attribute_span(attrs: &Node, name: &str) -> Option<Span> {
    let m = attrs.as_object()?.iter().find(|m| m.key == name)?;
    Some(if m.key_span.file == m.value.span.file {
        m.key_span.to(m.value.span)
    } else {
        m.value.span
    })
}

/// Where the text of a policy given as a string is written, for positions inside it to map
/// back into the template. A `Fn::Sub`'s value spans the whole call (`!Sub |` and the text,
/// or `{"Fn::Sub": "…"}`), which the JSON inside cannot be aligned with: its template
/// string is found again in the template, and that is where the text is.
fn text_span(node: &Node, sources: &Sources) -> Span {
    let raw = sources.slice(node.span);
    let json_call = raw
        .strip_prefix('{')
        .is_some_and(|rest| rest.trim_start().starts_with("\"Fn::Sub\""));
    if !raw.starts_with("!Sub") && !json_call {
        return node.span;
    }
    let file = node.span.file;
    let Ok(doc) = crate::cloudformation::template::parse_document(&sources.file(file).text, file)
    else {
        return node.span;
    };
    let contains = |n: &Node| n.span.start <= node.span.start && node.span.end <= n.span.end;
    let mut stack = vec![&doc];
    while let Some(n) = stack.pop() {
        if !contains(n) {
            continue;
        }
        if n.span == node.span
            && let Some([m]) = n.as_object()
            && m.key == "Fn::Sub"
        {
            let template = match &m.value.kind {
                Kind::Array(items) => items.first(),
                _ => Some(&m.value),
            };
            return template
                .filter(|t| matches!(t.kind, Kind::Str(_)))
                .map_or(node.span, |t| t.span);
        }
        match &n.kind {
            Kind::Array(items) => stack.extend(items.iter()),
            Kind::Object(members) => stack.extend(members.iter().map(|m| &m.value)),
            _ => {}
        }
    }
    node.span
}

/// A policy written as a map (YAML or JSON) or as a JSON string.
pub(super) fn policy_doc(
    node: &Node,
    sources: &Sources,
    kind: PolicyKind,
) -> (PolicyDoc, PolicySyntax) {
    let yaml = !sources
        .file(node.span.file)
        .text
        .trim_start()
        .starts_with('{');
    let map_syntax = if yaml {
        PolicySyntax::Yaml
    } else {
        PolicySyntax::Json
    };
    let syntax = if json_text(node) {
        PolicySyntax::Json
    } else {
        map_syntax
    };
    match &node.kind {
        Kind::Unknown(h) => (PolicyDoc::Unknown(h.clone()), syntax),
        _ => {
            let parsed =
                parse_texts(node, sources).map(|doc| parse_policy(&unfold_conditions(&doc), kind));
            (PolicyDoc::from_parse(parsed), syntax)
        }
    }
}

/// Whether a policy is written as JSON text (possibly in each branch of an undecided
/// `Fn::If`).
fn json_text(node: &Node) -> bool {
    match as_if(node) {
        Some(cond) => [cond.when_true, cond.when_false]
            .iter()
            .any(|b| json_text(b)),
        None => matches!(node.kind, Kind::Str(_)),
    }
}

/// The document with the JSON text it is written as (as a whole, or in the branches of an
/// undecided `Fn::If`) parsed into maps located in the template; a document written as a map
/// is the node itself, not a copy.
fn parse_texts<'n>(node: &'n Node, sources: &Sources) -> Result<Cow<'n, Node>, EmbeddedError> {
    if let Some(cond) = as_if(node)
        && let Some([m]) = node.as_object()
        && let Kind::Array(args) = &m.value.kind
    {
        let mut args = args.clone();
        args[1] = parse_texts(cond.when_true, sources)?.into_owned();
        args[2] = parse_texts(cond.when_false, sources)?.into_owned();
        return Ok(Cow::Owned(Node::new(
            Kind::Object(vec![Member {
                key: m.key.clone(),
                key_span: m.key_span,
                value: Node::new(Kind::Array(args), m.value.span),
            }]),
            node.span,
        )));
    }
    match &node.kind {
        Kind::Str(s) => parse_embedded_json(sources, s, text_span(node, sources)).map(Cow::Owned),
        _ => Ok(Cow::Borrowed(node)),
    }
}
