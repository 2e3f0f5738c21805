//! clumio-preflight's IAM engine, the layer every front end and rule builds on.
//!
//! [`source`] loads text and maps spans to positions, [`value`] holds located, possibly
//! unknown values (strings with named holes), and [`policy`] parses IAM policies from those
//! values and evaluates requests against them with three-valued logic (`Tri::Depends` with
//! reasons). The crate depends on nothing in the CLI above it.

pub mod policy;
pub mod source;
pub mod value;
