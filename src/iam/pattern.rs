//! IAM wildcards: `*` matches any run of characters (`/` and `:` included), `?` any one character.
//!
//! Bounded on hostile input: a full match is the greedy two-pointer algorithm (linear on the
//! patterns policies hold, `O(pattern × text)` at worst), a prefix test simulates the pattern as
//! an automaton (`O(pattern × prefix)`), and neither allocates more than the pattern's length.

/// Whether `pattern` matches all of `text`. `fold` compares ASCII letters case-insensitively
/// (IAM action names); ARNs compare case-sensitively.
#[must_use]
pub fn matches(pattern: &str, text: &str, fold: bool) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    let same = |a: u8, b: u8| {
        if fold {
            a.eq_ignore_ascii_case(&b)
        } else {
            a == b
        }
    };
    let (mut pi, mut ti) = (0, 0);
    // Where the last `*` was, and the text position it has been stretched to.
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && (p[pi] == b'?' || same(p[pi], t[ti])) {
            // `?` matches one byte; on UTF-8 text that is not one character, but no name IAM
            // matches holds anything else than ASCII.
            pi += 1;
            ti += 1;
        } else if let Some((star_p, star_t)) = star {
            pi = star_p + 1;
            ti = star_t + 1;
            star = Some((star_p, star_t + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&b| b == b'*')
}

/// Whether some text that starts with `prefix` matches `pattern` (case-sensitively): the pattern
/// can still be completed after reading the prefix.
#[must_use]
pub fn matches_some_extension(pattern: &str, prefix: &str) -> bool {
    let p = pattern.as_bytes();
    // alive[i]: the pattern's first i bytes can match what has been read so far.
    let mut alive = vec![false; p.len() + 1];
    alive[0] = true;
    close_stars(p, &mut alive);
    for &c in prefix.as_bytes() {
        let mut next = vec![false; p.len() + 1];
        for i in 0..p.len() {
            if !alive[i] {
                continue;
            }
            match p[i] {
                b'*' => next[i] = true,
                b'?' => next[i + 1] = true,
                b if b == c => next[i + 1] = true,
                _ => {}
            }
        }
        close_stars(p, &mut next);
        if !next.iter().any(|&a| a) {
            return false;
        }
        alive = next;
    }
    // Any live state can be completed: a `*` by nothing, a literal by itself.
    alive.iter().any(|&a| a)
}

/// A `*` may match nothing: a state before one is also a state after it.
fn close_stars(p: &[u8], alive: &mut [bool]) {
    for i in 0..p.len() {
        if alive[i] && p[i] == b'*' {
            alive[i + 1] = true;
        }
    }
}

/// Whether the text holds a wildcard.
#[must_use]
pub fn is_pattern(text: &str) -> bool {
    text.contains(['*', '?'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stars_and_question_marks() {
        assert!(matches("s3:Get*", "s3:GetObject", false));
        assert!(matches("s3:*Object", "s3:GetObject", false));
        assert!(!matches("s3:*Object", "s3:GetObjectAcl", false));
        assert!(matches("*", "", false));
        assert!(matches("a?c", "abc", false));
        assert!(!matches("a?c", "ac", false));
        assert!(matches("S3:get*", "s3:GetObject", true));
        assert!(!matches("S3:get*", "s3:GetObject", false));
        assert!(matches("*a*b*", "xxaxxbxx", false));
        assert!(!matches("*a*b*", "xxbxxaxx", false));
    }

    #[test]
    fn extensions_of_a_prefix() {
        assert!(matches_some_extension("*/*", "orders/"));
        assert!(matches_some_extension("orders/*", "orders/"));
        assert!(!matches_some_extension("other/*", "orders/"));
        assert!(matches_some_extension("*/uploads/*", "orders/"));
        assert!(!matches_some_extension("orders", "orders/"));
        assert!(matches_some_extension("ord?rs/x", "orders/"));
    }
}
