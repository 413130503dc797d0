//! The source of every choice a generator makes: libFuzzer's bytes, read through
//! `arbitrary::Unstructured`, shaped into realistic values, hostile payloads and their encodings.
//!
//! An exhausted input reads as zeros, and choice 0 is always the realistic value, so the empty
//! input gives a realistic event and short inputs stay close to one: libFuzzer starts from
//! events a handler accepts and mutates towards hostile ones.

use arbitrary::{Result, Unstructured};

use crate::Plan;
use crate::payload::{Family, Role, percent_encode};

/// The bytes of bodies and long values one event may carry in all: half of Lambda's 6 MB
/// invocation payload limit, which also caps what a batch delivers, because a body travels
/// inside the event as a JSON string, where escaping can double it. Without it a batch of
/// 10 000 messages with the largest body each would be gigabytes.
pub const EVENT_BYTES: usize = 3 * 1024 * 1024;

/// One long value in this many that [`Hostile::oversize`] makes reaches the plan's body limit.
const LIMIT_ONE_IN: usize = 16;

/// How many of the plan's first names [`Hostile::name`] favours.
const FIRST_NAMES: usize = 8;

/// The longest name [`Hostile::raw_name`] reads from the input.
pub const MAX_RAW_NAME: usize = 64;

/// A generator's view of one fuzz input.
pub struct Hostile<'a, 'u> {
    u: &'a mut Unstructured<'u>,
    plan: &'a Plan,
    /// Payloads put into the event so far: the oracles look for them in responses.
    pub injected: Vec<String>,
    /// What is left of [`EVENT_BYTES`] for bodies and long values.
    budget: usize,
    /// While a calm document is generated ([`Hostile::calm`]): which text or number is the one
    /// hostile value, and how many have been asked for so far.
    calm: Option<(usize, usize)>,
}

/// The most values before the one hostile value of a calm document.
pub const MAX_CALM_FOCUS: usize = 24;

impl<'a, 'u> Hostile<'a, 'u> {
    /// Reads choices from `u` for a target with this plan.
    pub fn new(u: &'a mut Unstructured<'u>, plan: &'a Plan) -> Self {
        Hostile {
            u,
            plan,
            injected: Vec::new(),
            budget: EVENT_BYTES,
            calm: None,
        }
    }

    /// Starts or ends a calm stretch: every text and number is its realistic value except one,
    /// chosen here. A handler that validates its whole input (five patterns, a date in the
    /// future, a known product) rejects a document with several hostile fields before it
    /// reaches the code behind the checks; a document that is valid but for one field gets there
    /// with that field. Fuzzing black-box (Node.js), nothing else would learn its way past.
    ///
    /// # Errors
    /// As [`Hostile::choice`].
    pub fn calm(&mut self, on: bool) -> Result<()> {
        self.calm = if on {
            Some((self.choice(MAX_CALM_FOCUS)?, 0))
        } else {
            None
        };
        Ok(())
    }

    /// Whether a calm document is being generated ([`Hostile::calm`]).
    #[must_use]
    pub fn is_calm(&self) -> bool {
        self.calm.is_some()
    }

    /// In a calm stretch, whether this value is one of the realistic ones (not the focus).
    fn quiet(&mut self) -> bool {
        let Some((focus, seen)) = &mut self.calm else {
            return false;
        };
        let this = *seen;
        *seen += 1;
        this != *focus
    }

    /// The bytes left for bodies and long values in this event (see [`EVENT_BYTES`]).
    #[must_use]
    pub fn budget(&self) -> usize {
        self.budget
    }

    /// Charges `bytes` of a body or long value to the event's budget.
    pub fn spend(&mut self, bytes: usize) {
        self.budget = self.budget.saturating_sub(bytes);
    }

    /// The plan of the target.
    #[must_use]
    pub fn plan(&self) -> &'a Plan {
        self.plan
    }

    /// A choice in `0..n` (0 when the input is exhausted).
    ///
    /// # Errors
    /// Never in practice; `arbitrary`'s error type is kept for `?`.
    pub fn choice(&mut self, n: usize) -> Result<usize> {
        if n <= 1 {
            return Ok(0);
        }
        self.u.int_in_range(0..=n - 1)
    }

    /// Whether to take an unusual branch, with probability about `1/one_in`.
    ///
    /// # Errors
    /// As [`Hostile::choice`].
    pub fn rarely(&mut self, one_in: usize) -> Result<bool> {
        Ok(self.choice(one_in)? == one_in - 1)
    }

    /// A count in `1..=max`, small counts first.
    ///
    /// # Errors
    /// As [`Hostile::choice`].
    pub fn count(&mut self, max: usize) -> Result<usize> {
        Ok(1 + self.choice(max.max(1))?)
    }

    /// Raw arbitrary text, any Unicode.
    ///
    /// # Errors
    /// As [`Hostile::choice`].
    pub fn arbitrary_text(&mut self) -> Result<String> {
        let text: &str = self.u.arbitrary()?;
        Ok(text.to_owned())
    }

    /// Raw arbitrary bytes, possibly invalid UTF-8.
    ///
    /// # Errors
    /// As [`Hostile::choice`].
    pub fn arbitrary_bytes(&mut self) -> Result<Vec<u8>> {
        let bytes: &[u8] = self.u.arbitrary()?;
        Ok(bytes.to_vec())
    }

    /// A payload for a field of this role: from the role's families, and for free text and
    /// identifiers also from the plan's sink families.
    ///
    /// # Errors
    /// As [`Hostile::choice`].
    pub fn payload(&mut self, role: Role) -> Result<String> {
        let sinks = if matches!(role, Role::Text | Role::Id) {
            self.plan.sinks
        } else {
            &[]
        };
        let own = role.families();
        // The sinks come first and count twice: they are where an injection does harm.
        let pick = self.choice(own.len() + 2 * sinks.len())?;
        let family = if pick < 2 * sinks.len() {
            sinks[pick / 2]
        } else {
            own[pick - 2 * sinks.len()]
        };
        self.payload_of(family)
    }

    /// One payload of a family, recorded as injected.
    ///
    /// # Errors
    /// As [`Hostile::choice`].
    pub fn payload_of(&mut self, family: Family) -> Result<String> {
        let canaries = family.canaries();
        let payloads = if self.plan.canaries && !canaries.is_empty() && self.choice(2)? == 0 {
            canaries
        } else {
            family.payloads()
        };
        let payload = payloads[self.choice(payloads.len())?].to_owned();
        self.injected.push(payload.clone());
        Ok(payload)
    }

    /// A string field: the realistic value, or arbitrary text, or a payload for its role alone,
    /// spliced into the realistic value, or encoded once more, or the value or a payload repeated
    /// up to the trigger's limit, or one of the literals of the handler's source
    /// ([`Plan::values`]).
    ///
    /// # Errors
    /// As [`Hostile::choice`].
    pub fn text(&mut self, role: Role, realistic: &str) -> Result<String> {
        if self.quiet() {
            return Ok(realistic.to_owned());
        }
        // With literals from the handler's source, two choices more: one of them, whole (a
        // value the handler compares with is worth more than any payload).
        let values = self.plan.values;
        Ok(
            match self.choice(12 + 2 * usize::from(!values.is_empty()))? {
                12 | 13 => values[self.choice(values.len())?].to_owned(),
                0..=3 => realistic.to_owned(),
                4 => self.arbitrary_text()?,
                5..=7 => self.payload(role)?,
                8 | 9 => {
                    let payload = self.payload(role)?;
                    let cut = realistic.floor_char_boundary(self.choice(realistic.len() + 1)?);
                    format!("{}{payload}{}", &realistic[..cut], &realistic[cut..])
                }
                10 => percent_encode(&self.payload(role)?),
                // Long values (the realistic one, or a payload, repeated) are rare: an event holds
                // many fields, and megabytes in each would slow every execution down.
                _ if !self.rarely(4)? => self.payload(role)?,
                _ => {
                    let unit = if self.choice(2)? == 1 {
                        self.payload(role)?
                    } else {
                        realistic.to_owned()
                    };
                    self.oversize(&unit)?
                }
            },
        )
    }

    /// A value repeated: 256 bytes, 4 KiB or 64 KiB (what overflows fixed-size buffers, log
    /// lines and key limits), or rarely up to the plan's body limit (and what is left of the
    /// event's budget). Megabytes cost an execution about a millisecond in allocation, copies and
    /// page faults, so about one long value in a hundred reaches them: the campaign still sends
    /// them, without spending most of its time building them.
    ///
    /// # Errors
    /// As [`Hostile::choice`].
    pub fn oversize(&mut self, unit: &str) -> Result<String> {
        let unit = if unit.is_empty() { "A" } else { unit };
        let most = (self.plan.max_body.min(self.budget) / unit.len()).max(1);
        let times = match self.choice(4)? {
            0 => 256 / unit.len(),
            2 => 65536 / unit.len(),
            3 if self.rarely(LIMIT_ONE_IN)? => {
                if self.choice(2)? == 0 {
                    most / 2
                } else {
                    most
                }
            }
            _ => 4096 / unit.len(),
        }
        .clamp(1, most);
        let long = unit.repeat(times);
        self.spend(long.len());
        Ok(long)
    }

    /// The name of a field, parameter, header or attribute the handler may read: one of the
    /// plan's names (route parameters, schema properties, its source's literals), or a name read
    /// raw from the input (see [`Hostile::raw_name`]), so that libFuzzer can write into it a
    /// literal it saw compared or found in its dictionary.
    ///
    /// # Errors
    /// As [`Hostile::choice`].
    pub fn name(&mut self) -> Result<String> {
        let names = self.plan.names;
        // The plan lists names most relevant first (the route's, the schema's, those the
        // handler's own code looks up): half the picks are among the first few.
        let pick = if !names.is_empty() && self.choice(2)? == 0 {
            self.choice(names.len().min(FIRST_NAMES))?
        } else {
            self.choice(names.len() + 1)?
        };
        match names.get(pick) {
            Some(name) => Ok((*name).to_owned()),
            None => self.raw_name(),
        }
    }

    /// A name read raw from the input: the printable ASCII bytes (`!` to `~`) up to the first
    /// other byte, which ends it, at most [`MAX_RAW_NAME`]; `x` when empty (a dictionary word
    /// inserted before a terminator becomes the name whole).
    ///
    /// # Errors
    /// As [`Hostile::choice`].
    pub fn raw_name(&mut self) -> Result<String> {
        let mut name = String::new();
        while name.len() < MAX_RAW_NAME {
            let byte: u8 = self.u.arbitrary()?;
            if !byte.is_ascii_graphic() {
                break;
            }
            name.push(char::from(byte));
        }
        if name.is_empty() {
            name.push('x');
        }
        Ok(name)
    }

    /// A number as text: realistic, a boundary value or arbitrary digits.
    ///
    /// # Errors
    /// As [`Hostile::choice`].
    pub fn number(&mut self, realistic: &str) -> Result<String> {
        if self.quiet() {
            return Ok(realistic.to_owned());
        }
        Ok(match self.choice(4)? {
            0 | 1 => realistic.to_owned(),
            2 => self.payload_of(Family::Numbers)?,
            _ => {
                let n: i64 = self.u.arbitrary()?;
                n.to_string()
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_empty_input_gives_realistic_values() {
        let mut u = Unstructured::new(&[]);
        let mut h = Hostile::new(&mut u, &Plan::BASE);
        assert_eq!(
            h.text(Role::Key, "photos/cat.jpg").unwrap(),
            "photos/cat.jpg"
        );
        assert_eq!(h.number("3").unwrap(), "3");
        assert_eq!(h.count(10).unwrap(), 1);
        assert!(h.injected.is_empty());
    }

    #[test]
    fn payloads_are_recorded_and_follow_the_sinks() {
        static PLAN: Plan = Plan {
            sinks: &[Family::Sql],
            ..Plan::BASE
        };
        let mut seen_sql = false;
        for seed in 0..=255u8 {
            let data = [seed, seed.wrapping_mul(7), 3, 1];
            let mut u = Unstructured::new(&data);
            let mut h = Hostile::new(&mut u, &PLAN);
            let payload = h.payload(Role::Text).unwrap();
            assert_eq!(h.injected, vec![payload.clone()]);
            seen_sql |= Family::Sql.payloads().contains(&payload.as_str());
        }
        assert!(seen_sql, "a sink family is never chosen");
    }

    #[test]
    fn oversize_stays_within_the_limit() {
        static PLAN: Plan = Plan {
            max_body: 1000,
            ..Plan::BASE
        };
        for seed in 0..4u8 {
            let data = [seed];
            let mut u = Unstructured::new(&data);
            let mut h = Hostile::new(&mut u, &PLAN);
            assert!(h.oversize("abc").unwrap().len() <= 1000);
        }
    }

    #[test]
    fn long_values_share_the_event_budget() {
        static PLAN: Plan = Plan {
            max_body: 4 * 1024 * 1024,
            ..Plan::BASE
        };
        // Choice 3, then the rare branch, then choice 1 of `oversize` is the longest value: each
        // one takes what the budget has left.
        let data: Vec<u8> = [3u8, 15, 1].repeat(32);
        let mut u = Unstructured::new(&data);
        let mut h = Hostile::new(&mut u, &PLAN);
        let mut total = 0;
        for _ in 0..8 {
            total += h.oversize("abc").unwrap().len();
        }
        assert!(total <= EVENT_BYTES + 8 * 3, "{total}");
        assert!(h.budget() < 3);
    }

    #[test]
    fn values_reach_the_body_limit_only_rarely() {
        static PLAN: Plan = Plan {
            max_body: 1024 * 1024,
            ..Plan::BASE
        };
        let (mut long, mut limit) = (0, 0);
        for a in 0..=255u8 {
            for b in 0..=255u8 {
                let data = [a, b, a ^ b];
                let mut u = Unstructured::new(&data);
                let mut h = Hostile::new(&mut u, &PLAN);
                let value = h.oversize("x").unwrap();
                long += usize::from(value.len() >= 256);
                limit += usize::from(value.len() > 65536);
            }
        }
        assert_eq!(long, 65536, "every value is long");
        assert!(limit > 0, "the body limit is never reached");
        assert!(
            limit * 50 < long,
            "{limit} of {long} values reach the body limit"
        );
    }

    #[test]
    fn text_is_sometimes_a_literal_of_the_handler_whole() {
        static PLAN: Plan = Plan {
            values: &["Kq7!vX2#pL9z"],
            ..Plan::BASE
        };
        let mut u = Unstructured::new(&[]);
        assert_eq!(
            Hostile::new(&mut u, &PLAN).text(Role::Text, "mug").unwrap(),
            "mug"
        );
        let hits = (0..=255u8)
            .filter(|b| {
                let data = [*b, 0];
                let mut u = Unstructured::new(&data);
                Hostile::new(&mut u, &PLAN).text(Role::Text, "mug").unwrap() == "Kq7!vX2#pL9z"
            })
            .count();
        assert!(hits > 0, "the handler's literal is never sent");
        let mut u = Unstructured::new(&[12, 0]);
        assert_ne!(
            Hostile::new(&mut u, &Plan::BASE)
                .text(Role::Text, "mug")
                .unwrap(),
            "Kq7!vX2#pL9z"
        );
    }

    #[test]
    fn names_come_from_the_plan_or_raw_from_the_input() {
        static NAMED: Plan = Plan {
            names: &["document_url", "version"],
            ..Plan::BASE
        };
        let name = |data: &[u8], plan: &Plan| {
            let mut u = Unstructured::new(data);
            Hostile::new(&mut u, plan).name().unwrap()
        };
        assert_eq!(name(&[], &NAMED), "document_url");
        // Half the picks are among the first names, half among all and a raw one.
        assert_eq!(name(&[0, 1], &NAMED), "version");
        assert_eq!(name(&[1, 1], &NAMED), "version");
        // The last choice reads the name from the bytes, up to a byte that is not printable.
        assert_eq!(name(b"\x01\x02page\x00rest", &NAMED), "page");
        assert_eq!(name(b"\x01\x02", &NAMED), "x");
        assert_eq!(name(b"id", &Plan::BASE), "id");
        let long = name(&[b'a'; 200], &Plan::BASE);
        assert_eq!(long.len(), MAX_RAW_NAME);
    }

    #[test]
    fn splicing_respects_char_boundaries() {
        for seed in 0..=255u8 {
            let data = [8, seed, seed, seed];
            let mut u = Unstructured::new(&data);
            let mut h = Hostile::new(&mut u, &Plan::BASE);
            let _ = h.text(Role::Text, "héllo wörld").unwrap();
        }
    }
}
