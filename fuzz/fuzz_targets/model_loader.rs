//! Arbitrary bytes into the model loader: it must answer with a model or diagnostics, never panic,
//! hang or blow up memory; whatever loads must also build a graph and a diagram, and whatever is
//! rejected must render.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use strider::graph::Dfd;
use strider::graph::dot::dot_text;
use strider::model::diagnostic::render;

fuzz_target!(|bytes: &[u8]| {
    match strider::model::load_bytes(Path::new("fuzz.yaml"), bytes) {
        Ok(loaded) => {
            let dfd = Dfd::build(&loaded.model);
            let _ = dot_text(&loaded.model, &dfd);
            let _ = render(&loaded.warnings, &loaded.sources);
        }
        Err(err) => {
            assert!(!err.diagnostics.is_empty());
            let _ = render(&err.diagnostics, &err.sources);
        }
    }
});
