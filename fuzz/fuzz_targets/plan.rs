//! Any text as a plan (JSON, or the text of `terraform plan`): the plan front ends, the model
//! and every rule must never panic.
#![no_main]

use clumio_preflight::profile::{Profile, ProfileOptions};
use clumio_preflight::rules;
use clumio_preflight::source::Sources;
use clumio_preflight::terraform::{self, plan, text_plan};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut sources = Sources::new();
    let file = sources.add("plan", text);
    let profile = Profile::new(&ProfileOptions::default()).expect("default profile");
    let json = plan::load_plan(&sources, file, None);
    let inv = terraform::aws::inventory(&json.resources, &sources);
    let _ = rules::run(&inv, &profile, &rules::Enabled::all());
    // As the scan reads it: only the entries the model reads kept.
    let (sparse, layout) = plan::read_plan("plan.json".into(), text.into());
    let sparse = sources.add_file(sparse);
    let json = plan::load_plan(&sources, sparse, layout.as_ref());
    let inv = terraform::aws::inventory(&json.resources, &sources);
    let _ = rules::run(&inv, &profile, &rules::Enabled::all());
    let txt = text_plan::load_text_plan(&sources, file);
    let inv = terraform::aws::inventory(&txt.resources, &sources);
    let _ = rules::run(&inv, &profile, &rules::Enabled::all());
});
