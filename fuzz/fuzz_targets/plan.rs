//! Any text as a plan (JSON, or the text of `terraform plan`): the plan front ends, the model
//! and every rule must never panic; and any bytes read from a file a section at a time
//! (`plan::read_plan_file`) are read as reading them whole reads them, or left to it.
#![no_main]

use clumio_preflight::profile::{Profile, ProfileOptions};
use clumio_preflight::rules;
use clumio_preflight::source::Sources;
use clumio_preflight::terraform::{self, plan, text_plan};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let streamed = streamed(data);
    let Ok(text) = std::str::from_utf8(data) else {
        assert!(streamed.is_none(), "bytes that are not UTF-8 read from the file");
        return;
    };
    if let Some(read) = streamed {
        let (whole, layout) = plan::read_plan("plan.json".into(), text.into());
        assert_eq!(read.file.text, whole.text);
        assert_eq!(format!("{:?}", Some(read.layout)), format!("{layout:?}"));
    }
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

/// `data` read from a file of its own a section at a time.
fn streamed(data: &[u8]) -> Option<plan::FromFile> {
    let path = std::env::temp_dir().join(format!("clumio-fuzz-plan-{}.json", std::process::id()));
    std::fs::write(&path, data).ok()?;
    let file = std::fs::File::open(&path);
    let _ = std::fs::remove_file(&path);
    plan::read_plan_file("plan.json".into(), &file.ok()?, data.len() as u64)
}
