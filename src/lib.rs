//! clumio-preflight: finds infrastructure code that breaks Clumio backups of S3 buckets.
//!
//! [`pipeline::run`] is the whole check as one function (see docs/architecture.md):
//! [`inputs`] walks and classifies the files, [`source`] loads text and maps spans to
//! positions, front ends turn files into located [`value`]s, [`policy`] parses and evaluates
//! IAM policies three-valued, and [`profile`] says who Clumio is and what its requests look
//! like.

// The IAM engine lives in its own crate (crates/iam), which depends on nothing here; its
// modules are re-exported so `crate::value`, `crate::policy` and `crate::source` keep their paths.
pub use clumio_preflight_iam::{policy, source, value};

pub mod baseline;
pub mod cloudformation;
pub mod config;
pub mod diagnostics;
pub mod embedded;
pub mod explain;
pub mod fix;
pub mod front_end;
pub mod fsbound;
pub mod gitignore;
pub mod identity;
pub mod inputs;
pub mod located_json;
pub mod model;
pub mod parallel;
pub mod pipeline;
pub mod plan_mapping;
pub mod plan_sources;
pub mod profile;
pub mod report;
pub mod resource;
pub mod rules;
pub mod simulate;
pub mod suppress;
pub mod terraform;
