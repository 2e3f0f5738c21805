//! Any text as a `.tf` file: the prefilter, the HCL front end, the model and every rule must
//! never panic or hang.
#![no_main]

use clumio_preflight::profile::{Profile, ProfileOptions};
use clumio_preflight::rules;
use clumio_preflight::source::Sources;
use clumio_preflight::terraform::{self, TerraformOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let dir = std::env::temp_dir().join(format!("cp-fuzz-tf-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join("main.tf");
    if std::fs::write(&path, text).is_err() {
        return;
    }
    let mut sources = Sources::new();
    let loaded = terraform::load(&[path], &TerraformOptions::default(), &mut sources);
    let profile = Profile::new(&ProfileOptions::default()).expect("default profile");
    for root in &loaded.extra.roots {
        let inv = terraform::aws::inventory(&loaded.resources[root.resources.clone()], &sources);
        let _ = rules::run(&inv, &profile, &rules::Enabled::all());
    }
});
