//! The IAM policy language: parse located documents into an AST and evaluate requests
//! against it with three-valued logic.

pub mod ast;
pub mod decision;
pub mod glob;
pub mod parse;
pub mod tri;

pub use ast::{Effect, Policy, PolicyKind, Statement};
pub use decision::{Decision, Evaluation, KeyState, Request, RequestPrincipal, evaluate};
pub use parse::{PolicyError, parse_policy};
pub use tri::Tri;
