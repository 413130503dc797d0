//! Strings that match a JSON Schema `pattern`. A handler that validates its input against the
//! schema (or checks an id against a regular expression of its own) answers 400 to everything
//! else, and the code behind the check is only reached by a value that matches. The pattern is
//! parsed with `regex-syntax` and walked with the fuzzer's choices: choice 0 everywhere is the
//! shortest match, and every other choice is still a match, so libFuzzer's mutations move
//! between matching strings. [`matches`] tells which known values (seeded keys, the handler's
//! literals) fit a pattern, so they can be preferred.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use arbitrary::Result;
use regex_automata::meta::Regex;
use regex_syntax::hir::{Class, ClassUnicode, ClassUnicodeRange, Hir, HirKind};

use crate::hostile::Hostile;

/// The longest string generated.
const MAX_LEN: usize = 256;

/// The most repetitions of an unbounded `*` or `+` beyond their minimum.
const MAX_EXTRA: u32 = 8;

/// The most pattern nodes one string visits (nested repetitions multiply).
const MAX_STEPS: usize = 4096;

/// The longest pattern considered (longer ones are left to the other generators).
const MAX_PATTERN: usize = 1024;

/// The most patterns kept compiled; a schema has a few, so more means something odd, and those
/// are compiled on each use instead.
const MAX_CACHED: usize = 1024;

/// A pattern, parsed (to generate from) and compiled (to match with), each `None` when it
/// cannot be.
struct Compiled {
    hir: Option<Hir>,
    regex: Option<Regex>,
}

/// The pattern compiled once per process: generators meet the same few patterns in every event,
/// and compiling one costs far more than an event's generation.
fn compiled(pattern: &str) -> Arc<Compiled> {
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<Compiled>>>> = OnceLock::new();
    let compile = || {
        let fits = pattern.len() <= MAX_PATTERN;
        Arc::new(Compiled {
            hir: fits
                .then(|| {
                    regex_syntax::ParserBuilder::new()
                        .nest_limit(32)
                        .build()
                        .parse(pattern)
                        .ok()
                })
                .flatten(),
            regex: fits.then(|| Regex::new(pattern).ok()).flatten(),
        })
    };
    let mut cache = CACHE
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    if let Some(found) = cache.get(pattern) {
        return Arc::clone(found);
    }
    let made = compile();
    if cache.len() < MAX_CACHED {
        cache.insert(pattern.to_owned(), Arc::clone(&made));
    }
    made
}

/// Whether `text` matches `pattern` (unanchored, as JSON Schema reads it); false when the
/// pattern cannot be compiled.
#[must_use]
pub fn matches(pattern: &str, text: &str) -> bool {
    compiled(pattern)
        .regex
        .as_ref()
        .is_some_and(|re| re.is_match(text))
}

/// A string matching `pattern`, chosen by the fuzzer, or `None` when the pattern cannot be
/// parsed (ECMAScript syntax Rust's does not share) or allows nothing short enough.
///
/// # Errors
/// As [`Hostile::choice`].
pub fn generate(h: &mut Hostile<'_, '_>, pattern: &str) -> Result<Option<String>> {
    let compiled = compiled(pattern);
    let Some(hir) = &compiled.hir else {
        return Ok(None);
    };
    // Mostly ASCII: Rust's `\d`, `\w` and `.` reach far beyond it, where validators in
    // JavaScript (ASCII `\d`) and most handlers' own checks do not. One string in eight may
    // leave it.
    let ascii = !h.rarely(8)?;
    let mut out = String::new();
    let mut steps = 0;
    let complete = walk(h, hir, ascii, &mut out, &mut steps)?;
    Ok((complete && out.len() <= MAX_LEN).then_some(out))
}

/// Appends a match of `hir`; false when the string grew too long or took too many steps.
fn walk(
    h: &mut Hostile<'_, '_>,
    hir: &Hir,
    ascii: bool,
    out: &mut String,
    steps: &mut usize,
) -> Result<bool> {
    *steps += 1;
    if *steps > MAX_STEPS || out.len() > MAX_LEN {
        return Ok(false);
    }
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => {}
        HirKind::Literal(literal) => out.push_str(&String::from_utf8_lossy(&literal.0)),
        HirKind::Class(Class::Unicode(class)) => {
            let mut narrowed = class.clone();
            if ascii {
                narrowed.intersect(&ClassUnicode::new([ClassUnicodeRange::new('\0', '\x7f')]));
            }
            let class = if narrowed.ranges().is_empty() {
                class
            } else {
                &narrowed
            };
            let ranges = class.ranges();
            if ranges.is_empty() {
                return Ok(false);
            }
            let range = ranges[h.choice(ranges.len())?];
            let (start, end) = (u32::from(range.start()), u32::from(range.end()));
            let span = usize::try_from(end - start).unwrap_or(0);
            let at = u32::try_from(h.choice(span.saturating_add(1))?).unwrap_or(0);
            out.push(char::from_u32(start + at).unwrap_or(range.start()));
        }
        HirKind::Class(Class::Bytes(class)) => {
            let ranges = class.ranges();
            if ranges.is_empty() {
                return Ok(false);
            }
            let range = ranges[h.choice(ranges.len())?];
            let span = usize::from(range.end() - range.start());
            let at = u8::try_from(h.choice(span + 1)?).unwrap_or(0);
            // Bytes beyond ASCII are not text: the range's start stands in for them.
            let byte = range.start().saturating_add(at);
            out.push(if byte.is_ascii() {
                char::from(byte)
            } else {
                char::from(range.start().min(0x7f))
            });
        }
        HirKind::Repetition(repetition) => {
            let extra = repetition.max.map_or(MAX_EXTRA, |max| {
                max.saturating_sub(repetition.min).min(MAX_EXTRA)
            });
            let times = repetition.min
                + u32::try_from(h.choice(usize::try_from(extra).unwrap_or(0) + 1)?).unwrap_or(0);
            for _ in 0..times {
                if !walk(h, &repetition.sub, ascii, out, steps)? {
                    return Ok(false);
                }
            }
        }
        HirKind::Capture(capture) => return walk(h, &capture.sub, ascii, out, steps),
        HirKind::Concat(parts) => {
            for part in parts {
                if !walk(h, part, ascii, out, steps)? {
                    return Ok(false);
                }
            }
        }
        HirKind::Alternation(branches) => {
            let branch = &branches[h.choice(branches.len())?];
            return walk(h, branch, ascii, out, steps);
        }
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Plan;

    fn strings(pattern: &str, inputs: &[&[u8]]) -> Vec<String> {
        inputs
            .iter()
            .map(|bytes| {
                let mut u = arbitrary::Unstructured::new(bytes);
                let mut h = Hostile::new(&mut u, &Plan::BASE);
                generate(&mut h, pattern)
                    .unwrap_or_else(|e| panic!("{e}"))
                    .unwrap_or_else(|| panic!("{pattern} gave nothing"))
            })
            .collect()
    }

    #[test]
    fn every_choice_gives_a_match() {
        let inputs: Vec<Vec<u8>> = (0u8..64)
            .map(|i| {
                (0u8..64)
                    .map(|j| i.wrapping_mul(37).wrapping_add(j.wrapping_mul(11)))
                    .collect()
            })
            .collect();
        let inputs: Vec<&[u8]> = inputs.iter().map(Vec::as_slice).collect();
        for pattern in [
            "^ord_[a-z0-9]{16}$",
            "^(0[1-9]|1[0-2])/[0-9]{2}$",
            "^[A-Z0-9-]{4,32}$",
            r"^\d{3,4}$",
            "^(?:https?)://[^/]+/.*$",
            "^[a-z]+(-[a-z]+)*$",
        ] {
            let re = regex_automata::meta::Regex::new(pattern).unwrap_or_else(|e| panic!("{e}"));
            let found = strings(pattern, &inputs);
            for s in &found {
                assert!(re.is_match(s), "{pattern} gave {s:?}");
            }
            let distinct: std::collections::BTreeSet<_> = found.iter().collect();
            assert!(distinct.len() > 8, "{pattern}: {distinct:?}");
            let ascii = found.iter().filter(|s| s.is_ascii()).count();
            assert!(ascii * 4 >= found.len() * 3, "{pattern}: {found:?}");
        }
    }

    #[test]
    fn no_input_gives_the_shortest_match() {
        assert_eq!(
            strings("^ord_[a-z0-9]{16}$", &[b""]),
            ["ord_0000000000000000"]
        );
        assert_eq!(strings("^(0[1-9]|1[0-2])/[0-9]{2}$", &[b""]), ["01/00"]);
        // Rust's `\d` is Unicode; the shortest match is ASCII, as JavaScript's is.
        assert_eq!(strings(r"^\d{3}$", &[b""]), ["000"]);
    }

    #[test]
    fn what_cannot_be_parsed_or_generated_gives_nothing() {
        let mut u = arbitrary::Unstructured::new(&[]);
        let mut h = Hostile::new(&mut u, &Plan::BASE);
        assert_eq!(generate(&mut h, "(?<=a)b").ok().flatten(), None);
        assert_eq!(generate(&mut h, "^a{300}$").ok().flatten(), None);
        assert_eq!(
            generate(&mut h, &"a".repeat(MAX_PATTERN + 1))
                .ok()
                .flatten(),
            None
        );
        assert!(matches("^[A-Z]{2}$", "PT"));
        assert!(!matches("^[A-Z]{2}$", "pt"));
        assert!(!matches("(", "("));
    }
}
