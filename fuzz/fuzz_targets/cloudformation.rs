//! Any text as a CloudFormation template (YAML or JSON): parsing, intrinsic resolution, the
//! model and every rule must never panic or hang.
#![no_main]

use clumio_preflight::cloudformation::{self, CfnOptions};
use clumio_preflight::profile::{Profile, ProfileOptions};
use clumio_preflight::rules;
use clumio_preflight::source::Sources;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut sources = Sources::new();
    let file = sources.add("template.yaml", text);
    let Ok(loaded) = cloudformation::load_template_with_notes(&sources, file, &CfnOptions::default()) else {
        return;
    };
    let inv = cloudformation::aws::inventory(&loaded.resources, &sources);
    let profile = Profile::new(&ProfileOptions::default()).expect("default profile");
    let _ = rules::run(&inv, &profile, &rules::Enabled::all());
});
