//! Any text as a CloudFormation template (YAML or JSON): parsing, intrinsic resolution, the
//! model and every rule must never panic or hang. A YAML text with blanked lines left out
//! parses to the tree of the blanked text whenever the loader uses it.
#![no_main]

use clumio_preflight::cloudformation::prefilter::{Level, compact_yaml_at, relevant_yaml_at};
use clumio_preflight::cloudformation::yaml::parse_yaml;
use clumio_preflight::cloudformation::{self, CfnOptions};
use clumio_preflight::profile::{Profile, ProfileOptions};
use clumio_preflight::rules;
use clumio_preflight::source::Sources;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut sources = Sources::new();
    let file = sources.add("template.yaml", text);
    if let Some(compact) = compact_yaml_at(text, Level::CHECKED) {
        let blanked = parse_yaml(&relevant_yaml_at(text, Level::CHECKED), file);
        // A tree the loader uses (it parses the blanked text in every other case) is the
        // blanked text's.
        if let Ok(Some(got)) = parse_yaml(&compact.text, file).map(|node| compact.restore(node)) {
            match blanked {
                Ok(want) => assert_eq!(got, want),
                Err(e) => panic!("the blanked text does not parse ({e:?}), left out it does"),
            }
        }
    }
    let Ok(loaded) = cloudformation::load_template_with_notes(&sources, file, &CfnOptions::default()) else {
        return;
    };
    let inv = cloudformation::aws::inventory(&loaded.resources, &sources);
    let profile = Profile::new(&ProfileOptions::default()).expect("default profile");
    let _ = rules::run(&inv, &profile, &rules::Enabled::all());
});
