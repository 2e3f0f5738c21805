//! Any text as a policy document: JSON parsing, policy parsing and evaluating every backup
//! request must never panic.
#![no_main]

use clumio_preflight::located_json::{OffsetMap, parse_json};
use clumio_preflight::policy::{PolicyKind, evaluate, parse_policy};
use clumio_preflight::profile::{self, Profile, ProfileOptions};
use clumio_preflight::source::Sources;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut sources = Sources::new();
    let file = sources.add("fuzz.json", text);
    let Ok(doc) = parse_json(text, &OffsetMap::direct(file, 0)) else { return };
    for kind in [PolicyKind::Bucket, PolicyKind::Key, PolicyKind::Generic] {
        let (policy, _) = parse_policy(&doc, kind);
        let Some(policy) = policy else { continue };
        let profile = Profile::new(&ProfileOptions::default()).expect("default profile");
        let bucket = "b".into();
        for role in &profile.roles {
            let request = profile.s3_request(role, profile::SESSION_NAMES[0], "s3:GetObject", profile.object_arn(&bucket));
            let _ = evaluate(&policy, &request);
        }
    }
});
