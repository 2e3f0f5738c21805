//! Lookups: `Ref`, `Fn::GetAtt` and `Fn::FindInMap`.

use super::*;

impl<'t> Resolver<'t> {
    /// The value of `Ref name`.
    pub(super) fn reference(&mut self, name: &str, span: Span) -> Option<Node> {
        if let Some((_, v)) = self.loop_vars.iter().rev().find(|(id, _)| id == name) {
            let v = v.clone();
            if !self.charge(v.len()) {
                return Some(self.too_deep(span, false));
            }
            return Some(str_node(PString::known(v), span));
        }
        if let Some(p) = self.params.get(name) {
            let units = match p {
                ParamValue::Str(s) => 1 + s.len() / 64,
                ParamValue::List(items) => {
                    1 + items.len() + items.iter().map(String::len).sum::<usize>() / 64
                }
                ParamValue::Hole { .. } => 1,
            };
            if !self.charge_units(units) {
                return Some(self.too_deep(span, false));
            }
            let p = self.params.get(name)?;
            return Some(match p {
                ParamValue::Str(s) => str_node(PString::known(s.clone()), span),
                ParamValue::List(items) => Node::new(
                    Kind::Array(
                        items
                            .iter()
                            .map(|s| str_node(PString::known(s.clone()), span))
                            .collect(),
                    ),
                    span,
                ),
                ParamValue::Hole { hole, list: true } => {
                    Node::new(Kind::Unknown(hole.clone()), span)
                }
                ParamValue::Hole { hole, list: false } => {
                    str_node(PString::hole(hole.clone()), span)
                }
            });
        }
        let pseudo = |s: PString| Some(str_node(s, span));
        match name {
            "AWS::AccountId" => pseudo(self.pseudo.account.clone()),
            "AWS::Region" => pseudo(self.pseudo.region.clone()),
            "AWS::Partition" => pseudo(PString::known(self.pseudo.partition.clone())),
            "AWS::URLSuffix" => pseudo(PString::known(match self.pseudo.partition.as_str() {
                "aws-cn" => "amazonaws.com.cn",
                "aws-iso" => "c2s.ic.gov",
                "aws-iso-b" => "sc2s.sgov.gov",
                _ => "amazonaws.com",
            })),
            "AWS::StackName" => pseudo(PString::hole(Hole::unknown(
                "AWS::StackName",
                "the stack's name, chosen when it is deployed",
            ))),
            "AWS::StackId" => pseudo(PString::hole(Hole::unknown(
                "AWS::StackId",
                "the stack's id, known only after the stack is created",
            ))),
            "AWS::NotificationARNs" => Some(Node::new(
                Kind::Unknown(Hole::unknown(
                    "AWS::NotificationARNs",
                    "the stack's notification ARNs, set when it is deployed",
                )),
                span,
            )),
            "AWS::NoValue" => None,
            _ if name.starts_with("AWS::") => {
                Some(self.unknown(name, span, format!("`{name}` is not a pseudo parameter")))
            }
            _ => {
                let why = if self.resources.contains(name) {
                    format!("Ref {name} is known only after the stack is created")
                } else {
                    format!("`{name}` is not a parameter or resource of this template")
                };
                pseudo(PString::hole(Hole::unknown(format!("{name}.Ref"), why)))
            }
        }
    }

    pub(super) fn get_att_hole(&self, id: &str, attr: &str) -> Hole {
        let why = if self.resources.contains(id) {
            format!("{id}.{attr} is known only after the stack is created")
        } else {
            format!("{id}.{attr}: `{id}` is not a resource of this template")
        };
        Hole::unknown(format!("{id}.{attr}"), why)
    }

    pub(super) fn get_att(&mut self, arg: &Node, span: Span, depth: usize) -> Node {
        let pair = match &arg.kind {
            Kind::Array(items) if items.len() == 2 => {
                let id = self
                    .resolve(&items[0], depth + 1)
                    .as_ref()
                    .and_then(known_text);
                let attr = self
                    .resolve(&items[1], depth + 1)
                    .as_ref()
                    .and_then(known_text);
                id.zip(attr)
            }
            Kind::Str(s) => s
                .as_known()
                .and_then(|t| t.split_once('.'))
                .map(|(a, b)| (a.to_string(), b.to_string())),
            _ => None,
        };
        match pair {
            Some((id, attr)) => str_node(PString::hole(self.get_att_hole(&id, &attr)), span),
            None => self.unknown(
                "Fn::GetAtt",
                span,
                "Fn::GetAtt needs [logical id, attribute] known statically",
            ),
        }
    }
}

impl<'t> Resolver<'t> {
    pub(super) fn find_in_map(&mut self, arg: &Node, span: Span, depth: usize) -> Option<Node> {
        let Kind::Array(args) = &arg.kind else {
            return Some(self.unknown(
                "Fn::FindInMap",
                span,
                "Fn::FindInMap needs [map, key, key]",
            ));
        };
        if args.len() != 3 && args.len() != 4 {
            return Some(self.unknown(
                "Fn::FindInMap",
                span,
                "Fn::FindInMap needs [map, key, key]",
            ));
        }
        let mut keys = Vec::with_capacity(3);
        for key in &args[..3] {
            let value = self.resolve(key, depth + 1);
            keys.push((value.as_ref().and_then(known_text), value));
        }
        let default = args.get(3).and_then(|d| d.get("DefaultValue"));
        if keys.iter().all(|(k, _)| k.is_some()) {
            let names: Vec<&str> = keys.iter().filter_map(|(k, _)| k.as_deref()).collect();
            let found = self
                .mappings
                .and_then(|m| m.get(names[0]))
                .and_then(|m| m.get(names[1]))
                .and_then(|m| m.get(names[2]));
            return match (found, default) {
                (Some(v), _) => {
                    // Charged by what the copy holds (nodes and text), not by the length of
                    // its source: `[a, a, …]` is three bytes a node.
                    if !self.charge_units(weight(v, self.budget.saturating_add(1))) {
                        return Some(self.too_deep(span, false));
                    }
                    let mut v = v.clone();
                    v.span = span;
                    Some(v)
                }
                (None, Some(d)) => self.resolve(d, depth + 1),
                (None, None) => Some(self.unknown(
                    "Fn::FindInMap",
                    span,
                    format!(
                        "Mappings has no entry {}.{}.{}",
                        names[0], names[1], names[2]
                    ),
                )),
            };
        }
        let shown: Vec<String> = keys
            .iter()
            .map(|(k, v)| match (k, v) {
                (Some(k), _) => k.clone(),
                (None, Some(v)) => to_pstring(v).map_or("?".into(), |s| s.to_string()),
                (None, None) => "?".into(),
            })
            .collect();
        let because = keys
            .iter()
            .find_map(|(_, v)| v.as_ref().and_then(first_hole))
            .map_or_else(String::new, |h| format!(" ({})", h.why));
        Some(self.unknown(
            "Fn::FindInMap",
            span,
            format!(
                "Fn::FindInMap [{}] with keys not known statically{because}",
                shown.join(", ")
            ),
        ))
    }
}
