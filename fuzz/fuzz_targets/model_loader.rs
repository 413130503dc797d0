//! Arbitrary bytes into the model loader: it must answer with a model or diagnostics, never panic,
//! hang or blow up memory; whatever loads must also build a graph and a diagram, and whatever is
//! rejected must render — escaped (no control or bidi character of the model reaches the output)
//! and bounded (a window of each source line, messages cut), whatever the model holds.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use strider::escape::is_hazard;
use strider::graph::Dfd;
use strider::graph::dot::dot_text;
use strider::model::diagnostic::{Diagnostic, Sources, render_with};

/// Bytes a rendered diagnostic may take at most: a message, a hint and labels cut to a thousand
/// characters (each escaped character up to ten bytes), and a window of each line it shows.
const MAX_RENDERED: usize = 64 * 1024;

fn check_rendered(diagnostics: &[Diagnostic], sources: &Sources) {
    let rendered = render_with(diagnostics, sources, 0);
    assert!(
        !rendered
            .chars()
            .any(|c| c != '\n' && c != '\t' && is_hazard(c)),
        "model text reached the output unescaped: {rendered:?}"
    );
    assert!(
        rendered.len() <= diagnostics.len() * MAX_RENDERED + 1024,
        "{} bytes for {} diagnostics",
        rendered.len(),
        diagnostics.len()
    );
}

fuzz_target!(|bytes: &[u8]| {
    match strider::model::load_bytes(Path::new("fuzz.yaml"), bytes) {
        Ok(loaded) => {
            // A control character in a model is an error, so no model that loads holds one.
            if let Ok(text) = std::str::from_utf8(bytes) {
                assert!(
                    !text
                        .chars()
                        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{85}')),
                    "a model with a control character loaded"
                );
            }
            let dfd = Dfd::build(&loaded.model);
            let _ = dot_text(&loaded.model, &dfd);
            check_rendered(&loaded.warnings, &loaded.sources);
        }
        Err(err) => {
            assert!(!err.diagnostics.is_empty());
            check_rendered(&err.diagnostics, &err.sources);
        }
    }
});
