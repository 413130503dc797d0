//! libFuzzer dictionaries: the entries libFuzzer recommends at the end of a run (words from its
//! comparison traces that led to new coverage), the learned dictionary of a target that keeps
//! them across campaigns, and the union with the generated dictionary that a run is given.
//!
//! Every entry is read as bytes and written back in libFuzzer's own grammar (`"…"` with `\\`,
//! `\"` and `\xAB` escapes, printable ASCII otherwise), so no entry, however hostile, can break
//! a dictionary file: a line libFuzzer would refuse is never written.

/// libFuzzer's longest dictionary word; longer entries are ignored by it.
pub const MAX_ENTRY: usize = strider_events::payload::MAX_DICTIONARY_ENTRY;
/// The most entries a learned dictionary keeps.
pub const MAX_LEARNED: usize = 256;
/// The most entries a run's dictionary holds (libFuzzer keeps at most 16 384).
pub const MAX_UNION: usize = 8192;

const BEGIN: &str = "###### Recommended dictionary. ######";
const END: &str = "###### End of recommended dictionary. ######";

/// Reads libFuzzer's recommended dictionary from a run's output lines, in order.
#[derive(Debug, Default)]
pub struct Recommended {
    inside: bool,
    /// The entries read so far.
    pub entries: Vec<Vec<u8>>,
}

impl Recommended {
    /// Takes one output line.
    pub fn line(&mut self, line: &str) {
        if line.trim() == BEGIN {
            self.inside = true;
        } else if line.trim() == END {
            self.inside = false;
        } else if self.inside
            && self.entries.len() < MAX_UNION
            && let Some(entry) = recommended_entry(line)
        {
            self.entries.push(entry);
        }
    }
}

/// One line of the recommended dictionary, `"ab\001" # Uses: 3`: libFuzzer prints bytes as
/// printable ASCII with `\\`, `\"` and octal `\ooo` escapes.
#[must_use]
pub fn recommended_entry(line: &str) -> Option<Vec<u8>> {
    let rest = line.trim_start().strip_prefix('"')?;
    let bytes = rest.as_bytes();
    let mut entry = Vec::new();
    let mut i = 0;
    loop {
        match *bytes.get(i)? {
            b'"' => break,
            b'\\' => match *bytes.get(i + 1)? {
                b @ (b'\\' | b'"') => {
                    entry.push(b);
                    i += 2;
                }
                b'0'..=b'7' => {
                    let digits = bytes.get(i + 1..i + 4)?;
                    if !digits.iter().all(|d| (b'0'..=b'7').contains(d)) {
                        return None;
                    }
                    let value = digits.iter().fold(0u32, |v, d| v * 8 + u32::from(d - b'0'));
                    entry.push(u8::try_from(value).ok()?);
                    i += 4;
                }
                _ => return None,
            },
            b => {
                entry.push(b);
                i += 1;
            }
        }
    }
    let after = rest.get(i + 1..)?.trim();
    (after.is_empty() || after.starts_with('#'))
        .then_some(entry)
        .filter(|e| valid(e))
}

/// Whether libFuzzer takes `entry` as a dictionary word.
#[must_use]
pub fn valid(entry: &[u8]) -> bool {
    !entry.is_empty() && entry.len() <= MAX_ENTRY
}

/// A dictionary line as libFuzzer parses it (`ParseOneDictionaryEntry`): an optional name, then
/// `"…"` with `\\`, `\"` and `\xAB` escapes; every other byte printable or a space.
#[must_use]
pub fn parse_line(line: &str) -> Option<Vec<u8>> {
    let text = line.trim();
    let body = text.strip_suffix('"')?;
    let (_, body) = body.split_once('"')?;
    let bytes = body.as_bytes();
    let mut entry = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if !(b.is_ascii_graphic() || b.is_ascii_whitespace() || b == b' ') {
            return None;
        }
        if b == b'\\' {
            match bytes.get(i + 1) {
                Some(&e @ (b'\\' | b'"')) => {
                    entry.push(e);
                    i += 2;
                }
                Some(b'x') => {
                    let hex = bytes.get(i + 2..i + 4)?;
                    let hex = std::str::from_utf8(hex).ok()?;
                    entry.push(u8::from_str_radix(hex, 16).ok()?);
                    i += 4;
                }
                _ => return None,
            }
        } else {
            entry.push(b);
            i += 1;
        }
    }
    valid(&entry).then_some(entry)
}

/// The entries of a dictionary file in order, each once; lines libFuzzer would refuse are
/// left out.
#[must_use]
pub fn entries(text: &[u8]) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for raw in text.split(|b| *b == b'\n') {
        let Ok(raw) = std::str::from_utf8(raw) else {
            continue;
        };
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if let Some(entry) = parse_line(trimmed)
            && seen.insert(entry.clone())
        {
            out.push(entry);
        }
    }
    out
}

/// A dictionary file: a comment (strider's own words), then one line per entry, each once, at
/// most `cap`.
#[must_use]
pub fn file(comment: &str, entries: &[Vec<u8>], cap: usize) -> Vec<u8> {
    let mut out = String::new();
    for line in comment.lines() {
        out.push_str("# ");
        out.push_str(line);
        out.push('\n');
    }
    let mut seen = std::collections::HashSet::new();
    for entry in entries.iter().filter(|e| valid(e)) {
        if seen.len() >= cap {
            break;
        }
        if seen.insert(entry)
            && let Some(line) = strider_events::payload::dictionary_entry(entry)
        {
            out.push_str(&line);
            out.push('\n');
        }
    }
    out.into_bytes()
}

/// The learned dictionary after a run: what it held, then the new entries that neither it nor
/// the generated dictionary holds, up to [`MAX_LEARNED`] in all (the oldest are kept: the entries
/// of earlier campaigns already proved useful). Returns the entries and how many are new.
#[must_use]
pub fn learn(learned: &[Vec<u8>], generated: &[Vec<u8>], new: &[Vec<u8>]) -> (Vec<Vec<u8>>, usize) {
    let mut out: Vec<Vec<u8>> = Vec::new();
    let mut seen: std::collections::HashSet<&[u8]> = generated.iter().map(Vec::as_slice).collect();
    for entry in learned.iter().filter(|e| valid(e)) {
        if out.len() < MAX_LEARNED && seen.insert(entry) {
            out.push(entry.clone());
        }
    }
    let before = out.len();
    for entry in new.iter().filter(|e| valid(e)) {
        if out.len() < MAX_LEARNED && seen.insert(entry) {
            out.push(entry.clone());
        }
    }
    let added = out.len() - before;
    (out, added)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The recommended dictionary of a real run (`recommended-dictionary.txt`): a backslash, a
    /// quote, a newline and NUL bytes in its entries, printed with octal escapes that a
    /// dictionary file may not hold.
    fn recommended_sample() -> Vec<Vec<u8>> {
        let text =
            include_str!("../../../tests/fixtures/fuzz/libfuzzer/recommended-dictionary.txt");
        let mut recommended = Recommended::default();
        for line in text.lines() {
            recommended.line(line);
        }
        recommended.entries
    }

    #[test]
    fn recommended_entries_are_read_from_a_real_run() {
        assert_eq!(
            recommended_sample(),
            [
                b"\xff\xe0\x7f\n\\\0\0\"".to_vec(),
                b"\xff\xff\xff\xff".to_vec(),
                b"N\xbe!\x03\xff\xff\xff\xff".to_vec(),
                b"\x88wfUD3\"\x11".to_vec(),
            ]
        );
        // Status lines carrying `DE: "…"` outside the block are not entries.
        assert!(
            include_str!("../../../tests/fixtures/fuzz/libfuzzer/recommended-dictionary.txt")
                .contains("DE: \"\\377\\377\\377\\377\"")
        );
    }

    #[test]
    fn every_line_fuzz_init_writes_is_an_entry_libfuzzer_keeps() {
        // The committed shop crate is what `fuzz init` writes (tests/fuzz_init.rs checks that).
        let mut checked = 0;
        for file in std::fs::read_dir("fuzz/shop/dict").unwrap() {
            let text = std::fs::read(file.unwrap().path()).unwrap();
            let lines = String::from_utf8_lossy(&text)
                .lines()
                .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
                .count();
            assert_eq!(entries(&text).len(), lines);
            checked += lines;
        }
        assert!(checked > 100, "{checked}");
    }

    #[test]
    fn every_byte_survives_a_dictionary_line() {
        let mut entries: Vec<Vec<u8>> = (0..=255u8).map(|b| vec![b]).collect();
        entries.extend(recommended_sample());
        entries.push(b"name=\"x\" # not a comment".to_vec());
        entries.push(vec![b'a'; MAX_ENTRY]);
        for entry in &entries {
            let line = strider_events::payload::dictionary_entry(entry).unwrap();
            assert!(
                line.bytes().all(|b| b == b' ' || b.is_ascii_graphic()),
                "{line}"
            );
            assert_eq!(parse_line(&line).as_ref(), Some(entry), "{line}");
        }
        let text = file("a comment\nover two lines", &entries, MAX_UNION);
        assert_eq!(entries_of(&text), entries);
        assert!(text.starts_with(b"# a comment\n# over two lines\n"));
    }

    fn entries_of(text: &[u8]) -> Vec<Vec<u8>> {
        entries(text)
    }

    #[test]
    fn a_line_libfuzzer_would_refuse_is_left_out() {
        let text = b"# a comment\n\n\
            \"ok\"\n\
            kw1=\"named\"\n\
            \"octal \\001 is not a dictionary escape\"\n\
            \"\\q\"\n\
            \"unterminated\n\
            \"trailing\" junk\n\
            \"\"\n\
            \"\xc3\xa9\"\n\
            \"\xff\"\n\
            \"ok\"\n\
            \"\\x4\"\n\
            \"\\x41\\\\\\\"\"\n";
        let mut long = text.to_vec();
        long.extend(format!("\"{}\"\n", "b".repeat(MAX_ENTRY + 1)).as_bytes());
        assert_eq!(
            entries(&long),
            [b"ok".to_vec(), b"named".to_vec(), b"A\\\"".to_vec()]
        );
        for hostile in [
            "\"a\" Uses: 1",
            "\"\\400\" # Uses: 1",
            "\"\\01\" # Uses: 1",
            "\"a\\\" # Uses: 1",
            "\"a\"b",
            "no quote",
            "\"\" # Uses: 1",
        ] {
            assert_eq!(recommended_entry(hostile), None, "{hostile}");
        }
        assert_eq!(recommended_entry("\"a\" # Uses: 1"), Some(b"a".to_vec()));
        assert_eq!(
            recommended_entry(&format!("\"{}\" # Uses: 1", "c".repeat(MAX_ENTRY + 1))),
            None
        );
    }

    #[test]
    fn learning_keeps_what_was_learned_adds_what_is_new_and_stops_at_the_cap() {
        let e = |s: &str| s.as_bytes().to_vec();
        let (learned, added) = learn(
            &[e("old"), e("old"), e("")],
            &[e("generated")],
            &[e("generated"), e("new"), e("old"), e("new")],
        );
        assert_eq!((learned, added), (vec![e("old"), e("new")], 1));
        let full: Vec<Vec<u8>> = (0..MAX_LEARNED).map(|i| e(&format!("w{i}"))).collect();
        let (learned, added) = learn(&full, &[], &[e("one more")]);
        assert_eq!((learned.len(), added), (MAX_LEARNED, 0));
        assert_eq!(learned, full);
    }
}
