//! The parse floor of the speed benchmarks (`benches/bench.py`): reads every file under the
//! given paths and parses it with the parser the checker uses for its kind, checking nothing.
//!
//! - `.tf` files: `hcl_edit::parser::parse_body` (the whole file, every resource);
//! - `.json` files: `serde_json::from_str::<serde_json::Value>` (a plan or a template);
//! - `.yaml`, `.yml`, `.template` files: every `saphyr-parser` event until the stream ends.
//!
//! Files are shared out over one thread per core (each thread takes the next unparsed file),
//! as the checker does. Prints the number of files, bytes and parse errors.
//!
//! usage: cargo run --release --example parse_floor -- PATH...

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

fn main() {
    let roots: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    if roots.is_empty() {
        eprintln!("usage: parse_floor PATH...");
        std::process::exit(2);
    }
    let mut files = Vec::new();
    for root in &roots {
        collect(root, &mut files);
    }
    files.sort();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let next = AtomicUsize::new(0);
    let (bytes, errors) = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let (mut bytes, mut errors) = (0usize, 0usize);
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(path) = files.get(i) else { break };
                        let Ok(text) = std::fs::read_to_string(path) else {
                            errors += 1;
                            continue;
                        };
                        bytes += text.len();
                        if !parse(path, &text) {
                            errors += 1;
                        }
                    }
                    (bytes, errors)
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("a parse thread panicked"))
            .fold((0, 0), |(b, e), (wb, we)| (b + wb, e + we))
    });
    println!(
        "{} files, {bytes} bytes, {errors} parse errors",
        files.len()
    );
}

/// Adds the files of `path` (recursively, skipping hidden folders) that have a parsed kind.
fn collect(path: &Path, files: &mut Vec<PathBuf>) {
    if path.is_dir() {
        let Ok(entries) = std::fs::read_dir(path) else {
            return;
        };
        for entry in entries.flatten() {
            let child = entry.path();
            let hidden = child
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'));
            if !(hidden && child.is_dir()) {
                collect(&child, files);
            }
        }
    } else if kind(path).is_some() {
        files.push(path.to_path_buf());
    }
}

#[derive(Clone, Copy)]
enum Kind {
    Hcl,
    Json,
    Yaml,
}

fn kind(path: &Path) -> Option<Kind> {
    match path.extension()?.to_str()? {
        "tf" => Some(Kind::Hcl),
        "json" => Some(Kind::Json),
        "yaml" | "yml" | "template" => Some(Kind::Yaml),
        _ => None,
    }
}

/// Parses `text` as its kind; whether it parsed.
fn parse(path: &Path, text: &str) -> bool {
    match kind(path) {
        Some(Kind::Hcl) => hcl_edit::parser::parse_body(text).is_ok(),
        Some(Kind::Json) => serde_json::from_str::<serde_json::Value>(text).is_ok(),
        Some(Kind::Yaml) => {
            let mut parser = saphyr_parser::Parser::new_from_str(text);
            while let Some(event) = parser.next_event() {
                match event {
                    Ok((saphyr_parser::Event::StreamEnd, _)) => return true,
                    Ok(_) => {}
                    Err(_) => return false,
                }
            }
            true
        }
        None => true,
    }
}
