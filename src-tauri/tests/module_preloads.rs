//! The popover's first paint waits for its last ES module, so `popover.html` names every
//! module its script imports, directly or not, as a `modulepreload`: WebKit then fetches them
//! all at once instead of one import level at a time. This keeps that list in step with the
//! imports, both ways (nothing missing, nothing stale).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn ui_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui")
}

/// The values of `attr="…"` in the tags of `html` that contain `marker`.
fn attribute_values(html: &str, marker: &str, attr: &str) -> Vec<String> {
    let key = format!("{attr}=\"");
    html.split('<')
        .filter(|tag| tag.contains(marker))
        .filter_map(|tag| {
            let start = tag.find(&key)? + key.len();
            let len = tag[start..].find('"')?;
            Some(tag[start..start + len].to_owned())
        })
        .collect()
}

/// The relative module specifiers a module imports statically: `… from './x.js'` (an import
/// may span lines) and `import './x.js'`.
fn imports(source: &str) -> Vec<String> {
    let mut found = Vec::new();
    for keyword in ["from", "import"] {
        let mut rest = source;
        while let Some(at) = rest.find(keyword) {
            rest = &rest[at + keyword.len()..];
            let after = rest.trim_start();
            let Some(quote) = after.chars().next().filter(|c| *c == '\'' || *c == '"') else {
                continue;
            };
            if let Some(len) = after[1..].find(quote) {
                found.push(after[1..=len].to_owned());
            }
        }
    }
    found.retain(|specifier| specifier.starts_with('.'));
    found
}

/// Every module reachable from `entry`, as paths relative to `ui/`, the entry excluded.
fn reachable(entry: &str) -> BTreeSet<String> {
    let ui = ui_dir();
    let mut seen = BTreeSet::new();
    let mut todo = vec![PathBuf::from(entry)];
    while let Some(module) = todo.pop() {
        let source = std::fs::read_to_string(ui.join(&module))
            .unwrap_or_else(|e| panic!("{}: {e}", module.display()));
        let dir = module.parent().unwrap_or(Path::new("")).to_path_buf();
        for specifier in imports(&source) {
            let mut path = dir.clone();
            for part in specifier.split('/') {
                match part {
                    "." => {}
                    ".." => {
                        path.pop();
                    }
                    name => path.push(name),
                }
            }
            let key = path.to_string_lossy().into_owned();
            if seen.insert(key) {
                todo.push(path);
            }
        }
    }
    seen
}

#[test]
fn the_popover_preloads_exactly_the_modules_it_imports() {
    let html = std::fs::read_to_string(ui_dir().join("popover.html")).expect("popover.html");
    let entries = attribute_values(&html, "type=\"module\"", "src");
    assert_eq!(entries, ["popover.js"], "one module entry point");
    let preloaded: BTreeSet<String> = attribute_values(&html, "rel=\"modulepreload\"", "href")
        .into_iter()
        .collect();
    let imported = reachable("popover.js");
    assert!(!imported.is_empty(), "the import scan found nothing");
    let missing: Vec<_> = imported.difference(&preloaded).collect();
    let stale: Vec<_> = preloaded.difference(&imported).collect();
    assert!(
        missing.is_empty(),
        "imported but not preloaded: {missing:?}"
    );
    assert!(stale.is_empty(), "preloaded but never imported: {stale:?}");
}

#[test]
fn the_import_scan_reads_both_quotes_and_multi_line_imports_and_skips_packages() {
    let source = "import * as a from './a.js';\nimport {\n  b,\n} from \"../b.js\";\n\
                  import x from 'pkg';\nimport './c.js';\nconst from = 1;";
    assert_eq!(imports(source), ["./a.js", "../b.js", "./c.js"]);
}
