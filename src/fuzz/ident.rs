//! Model ids become Rust identifiers and file names in generated code, in one place: lower-case
//! ASCII letters, digits and `_`, never a keyword, never starting with a digit, at most 48
//! characters, unique within one generated crate. Quotes, `::`, spaces, unicode and `../` cannot
//! survive, so an id can neither break the generated code nor name a file outside the output
//! directory.

use crate::model::rust_path::KEYWORDS;

/// Longest identifier produced (file names stay short on every platform).
const MAX_LEN: usize = 48;

/// The identifier for `text` on its own (not yet unique).
#[must_use]
pub fn identifier(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    let mut out = out.trim_matches('_').to_owned();
    out.truncate(MAX_LEN);
    let mut out = out.trim_end_matches('_').to_owned();
    if out.is_empty() {
        out.push_str("target");
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert_str(0, "t_");
    }
    if KEYWORDS.contains(&out.as_str()) {
        out.push('_');
    }
    out
}

/// Hands out identifiers unique among those it has given.
#[derive(Debug)]
pub struct Names {
    unique: crate::unique::Unique,
}

impl Default for Names {
    fn default() -> Self {
        Names {
            unique: crate::unique::Unique::new("_"),
        }
    }
}

impl Names {
    /// A unique identifier for `text`: its [`identifier`], with `_2`, `_3`… when taken.
    pub fn unique(&mut self, text: &str) -> String {
        self.unique.claim(&identifier(text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::rust_path::is_identifier;

    #[test]
    fn hostile_ids_become_plain_identifiers() {
        assert_eq!(identifier("place-order"), "place_order");
        assert_eq!(identifier("../../etc/passwd"), "etc_passwd");
        assert_eq!(
            identifier("a\"); std::process::exit(1); (\""),
            "a_std_process_exit_1"
        );
        assert_eq!(identifier("crate::x"), "crate_x");
        assert_eq!(identifier("Ünïcødé ☃"), "n_c_d");
        assert_eq!(identifier("☃"), "target");
        assert_eq!(identifier("42-answers"), "t_42_answers");
        assert_eq!(identifier("fn"), "fn_");
        assert_eq!(identifier("self"), "self_");
        assert_eq!(identifier(&"x".repeat(200)).len(), MAX_LEN);
    }

    #[test]
    fn names_are_unique() {
        let mut names = Names::default();
        assert_eq!(names.unique("a-b"), "a_b");
        assert_eq!(names.unique("a_b"), "a_b_2");
        assert_eq!(names.unique("a b"), "a_b_3");
    }

    proptest::proptest! {
        #[test]
        fn any_text_gives_a_valid_identifier(text in ".*") {
            let id = identifier(&text);
            proptest::prop_assert!(is_identifier(&id), "{id:?}");
            proptest::prop_assert!(id.len() <= MAX_LEN + 2);
        }
    }
}
