//! Rust paths named in a model (`fuzz.rust.handler`, `fuzz.rust.event`): they are pasted into
//! generated code, so they must be exactly a path and nothing else.

/// Rust's keywords, strict and reserved (2024 edition): none can be an identifier.
pub const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "try", "typeof", "unsized", "virtual", "yield",
];

/// Whether `word` is an ASCII Rust identifier that is not a keyword.
#[must_use]
pub fn is_identifier(word: &str) -> bool {
    let mut chars = word.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    (first.is_ascii_alphabetic() || first == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && word != "_"
        && !KEYWORDS.contains(&word)
}

/// Checks `crate_name::module::item`: two or more `::`-separated identifiers.
///
/// # Errors
/// What is wrong, for a diagnostic.
pub fn check(path: &str) -> Result<(), String> {
    let segments: Vec<&str> = path.split("::").collect();
    if segments.len() < 2 {
        return Err("it needs the crate's name and the item, separated by `::`".to_owned());
    }
    if let Some(bad) = segments.iter().find(|s| !is_identifier(s)) {
        return Err(if bad.is_empty() {
            "it has an empty segment".to_owned()
        } else {
            format!("`{bad}` is not an identifier")
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_must_be_plain_paths() {
        assert!(check("shop_handlers::place_order::handler").is_ok());
        assert!(check("a::b").is_ok());
        assert!(check("handler").is_err());
        assert!(check("a::").is_err());
        assert!(check("::a::b").is_err());
        assert!(check("a::b; std::process::exit(1)").is_err());
        assert!(check("a::b()").is_err());
        assert!(check("a::fn").is_err());
        assert!(check("crate::b").is_err());
        assert!(check("a::b<T>").is_err());
        assert!(check("a::é").is_err());
    }
}
