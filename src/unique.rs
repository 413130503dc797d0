//! Names unique among those handed out: a base name, then `base-2`, `base-3`… (with the caller's
//! separator). Each base remembers its next suffix, so many names from one base cost constant
//! time each, not a scan over every suffix already given.

use std::collections::{BTreeMap, BTreeSet};

/// Hands out names unique among those it has given.
#[derive(Debug)]
pub struct Unique {
    separator: &'static str,
    taken: BTreeSet<String>,
    /// Base → the next suffix to try.
    next: BTreeMap<String, u64>,
}

/// Kebab-case suffixes: `orders-2`.
impl Default for Unique {
    fn default() -> Self {
        Unique::new("-")
    }
}

impl Unique {
    /// A generator that writes suffixes after `separator` (`-` gives `orders-2`).
    #[must_use]
    pub fn new(separator: &'static str) -> Self {
        Unique {
            separator,
            taken: BTreeSet::new(),
            next: BTreeMap::new(),
        }
    }

    /// `base` if no name so far is `base`, else `base<separator>N` with the smallest N ≥ 2 that
    /// is free.
    pub fn claim(&mut self, base: &str) -> String {
        if self.taken.insert(base.to_owned()) {
            return base.to_owned();
        }
        let next = self.next.entry(base.to_owned()).or_insert(2);
        loop {
            let name = format!("{base}{}{next}", self.separator);
            *next += 1;
            if self.taken.insert(name.clone()) {
                return name;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bases_get_numbered_suffixes_and_names_never_repeat() {
        let mut names = Unique::new("-");
        assert_eq!(names.claim("a"), "a");
        assert_eq!(names.claim("a"), "a-2");
        assert_eq!(names.claim("a-3"), "a-3");
        assert_eq!(names.claim("a"), "a-4");
        assert_eq!(names.claim("a-2"), "a-2-2");
        let mut all = BTreeSet::new();
        for base in ["x", "x-2", "x", "x-2-2", "x-2", "x"] {
            assert!(all.insert(names.claim(base)));
        }
    }

    #[test]
    fn many_names_from_one_long_base_are_fast() {
        let base = "b".repeat(64);
        let mut names = Unique::new("_");
        let started = std::time::Instant::now();
        for _ in 0..20_000 {
            names.claim(&base);
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
        assert_eq!(names.claim(&base), format!("{base}_20001"));
    }
}
